"""Generating the business application form (Art. 9): pure functions from an application (or the
catalog, for the blank form) to the bytes of a DOCX or PDF file. Nothing is written or audited
here; services.py does that for downloads."""

from __future__ import annotations

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

__all__ = [
    "DOCX",
    "FORMATS",
    "PDF",
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


def application_file(
    application: Application, fmt: str, *, reveal_phone: bool = False, now: datetime | None = None
) -> bytes:
    """The filled form of `application` as `fmt` ("docx" or "pdf")."""
    _check(fmt)
    return _RENDERERS[fmt](application_content(application, reveal_phone=reveal_phone, now=now))


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
