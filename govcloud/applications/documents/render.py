"""Generating the business application form (Art. 9): pure functions from an application (or the
catalog, for the blank form) to the bytes of a DOCX or PDF file. Nothing is written or audited
here; services.py does that for downloads."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.core.cache import cache

from govcloud.applications.documents.content import (
    application_content,
    blank_content,
    blank_fingerprint,
    form_queryset,
    verification_code,
)
from govcloud.applications.documents.docx import docx_bytes
from govcloud.applications.documents.pdf import pdf_bytes
from govcloud.applications.models import Application
from govcloud.core.crypto import sm3_hex

DOCX = "docx"
PDF = "pdf"
FORMATS = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PDF: "application/pdf",
}
_RENDERERS = {DOCX: docx_bytes, PDF: pdf_bytes}
# The blank form only changes with the catalog and the rules: its files are cached under a key
# made of what they show, so an edit of the catalog produces a new file at once.
BLANK_CACHE_SECONDS = 6 * 3600
# A filled form is cached per version: under a digest of everything it shows but the time it was
# generated, so any change (a step, an edit, a policy in the notes) makes a new file, and the same
# version is laid out once (a first PDF took seconds with nothing on screen). The phone number is in
# it, so the entry is short-lived and per reveal/masked variant.
APPLICATION_CACHE_SECONDS = 24 * 3600

__all__ = [
    "DOCX",
    "FORMATS",
    "PDF",
    "application_cached",
    "application_docx",
    "application_file",
    "application_pdf",
    "blank_docx",
    "blank_file",
    "blank_pdf",
    "form_queryset",
    "verification_code",
]


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown form format {fmt!r}")


def _version_key(application: Application, fmt: str, content) -> str:
    shown = dataclasses.asdict(content)
    shown.pop("generated_at")
    digest = sm3_hex(repr(sorted(shown.items())).encode("utf-8"))[:32]
    return f"documents:application:{application.pk}:{fmt}:{digest}"


def application_cached(application: Application, fmt: str, *, reveal_phone: bool = False) -> bytes | None:
    """The file of this version of the form if it has been laid out already, else None."""
    _check(fmt)
    content = application_content(application, reveal_phone=reveal_phone)
    return cache.get(_version_key(application, fmt, content))


def application_file(
    application: Application, fmt: str, *, reveal_phone: bool = False, now: datetime | None = None
) -> bytes:
    """The filled form of `application` as `fmt` ("docx" or "pdf"), laid out once per version."""
    _check(fmt)
    content = application_content(application, reveal_phone=reveal_phone, now=now)
    key = _version_key(application, fmt, content)
    data = cache.get(key)
    if data is None:
        data = _RENDERERS[fmt](content)
        cache.set(key, data, APPLICATION_CACHE_SECONDS)
    return data


def application_docx(application: Application, *, reveal_phone: bool = False, now: datetime | None = None) -> bytes:
    return application_file(application, DOCX, reveal_phone=reveal_phone, now=now)


def application_pdf(application: Application, *, reveal_phone: bool = False, now: datetime | None = None) -> bytes:
    return application_file(application, PDF, reveal_phone=reveal_phone, now=now)


def blank_file(fmt: str) -> bytes:
    """The blank form with the catalog's values to tick (for the public guide)."""
    _check(fmt)
    content = blank_content()
    key = f"documents:blank:{fmt}:{blank_fingerprint(content)}"
    data = cache.get(key)
    if data is None:
        data = _RENDERERS[fmt](content)
        cache.set(key, data, BLANK_CACHE_SECONDS)
    return data


def blank_docx() -> bytes:
    return blank_file(DOCX)


def blank_pdf() -> bytes:
    return blank_file(PDF)
