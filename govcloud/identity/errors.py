"""Why a sign-on was refused: a code for the audit trail and a message for the person."""

from __future__ import annotations


class SignOnRefused(Exception):
    def __init__(self, code: str, message: str, *, issuer: str = "", subject: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.issuer = issuer
        self.subject = subject
