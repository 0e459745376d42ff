"""Uploaded documents: accepted by content, limited in size, kept outside the web root.

Every app that takes documents (MLPS certificates and reports, exemption evidence, bulletins, drill
reports, stamped application forms) goes through here: a file is what its first bytes say (PDF, PNG
or JPEG), whatever its name; it is no larger than Policy.ATTACHMENT_MAX_MB; it is written under
settings.PRIVATE_MEDIA_ROOT with a random name and an SM3 digest; it is served only by a view that
checks scope and writes an audit event (`private_path` refuses anything outside the folder).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from govcloud.core.policy import Policy, policy_value


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


PDF = FileType("application/pdf", ".pdf")
PNG = FileType("image/png", ".png")
JPEG = FileType("image/jpeg", ".jpg")

# The first bytes of each accepted type.
SIGNATURES: list[tuple[bytes, FileType]] = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
]


@dataclass(frozen=True)
class StoredFile:
    relative_path: str
    original_name: str
    file_type: FileType
    size: int
    sm3: str


def detect_type(head: bytes) -> FileType | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def max_mb() -> int:
    return int(policy_value(Policy.ATTACHMENT_MAX_MB))


def _too_large(field: str) -> ValidationError:
    return ValidationError({field: _("The file is larger than %(mb)d MB.") % {"mb": max_mb()}})


def check_upload(upload, *, field: str = "file") -> FileType:
    """The upload's type, or a ValidationError naming what is wrong. Nothing is written before
    this passes."""
    if upload is None:
        raise ValidationError({field: _("Choose a file.")})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({field: _("The file is empty.")})
    if size > max_mb() * 1024 * 1024:
        raise _too_large(field)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = detect_type(head)
    if kind is None:
        raise ValidationError({field: _("Upload a PDF, PNG or JPEG file.")})
    return kind


def safe_name(name: str) -> str:
    base = os.path.basename(str(name or "").replace("\\", "/")).strip() or "attachment"
    return base[:200]


def store_private(upload, *, folder: str, file_type: FileType, field: str = "file") -> StoredFile:
    """Write a checked upload under a random name in `folder` of the private storage. The size is
    enforced again while writing (a client can lie about it); a refused file is not left behind."""
    relative = f"{folder}/{uuid.uuid4().hex}{file_type.extension}"
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    limit = max_mb() * 1024 * 1024
    digest = hashes.Hash(hashes.SM3())
    size = 0
    upload.seek(0)
    try:
        with target.open("xb") as handle:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:
                    raise _too_large(field)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(
        relative_path=relative,
        original_name=safe_name(getattr(upload, "name", "")),
        file_type=file_type,
        size=size,
        sm3=digest.finalize().hex(),
    )


def remove_private(relative_path: str) -> None:
    """Remove a stored file again (the action that stored it failed afterwards)."""
    (Path(settings.PRIVATE_MEDIA_ROOT) / relative_path).unlink(missing_ok=True)


def private_path(relative_path: str) -> Path:
    """The absolute path of a stored file, or 404 if it is missing or points outside the folder."""
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / relative_path).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404(_("The file is no longer available."))
    return path
