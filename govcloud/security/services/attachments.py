"""Attachments: checked by content and size before anything is written, kept outside the web
root under a random name, and every download audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor
from govcloud.core.uploads import FileType, private_path, remove_private, store_private
from govcloud.core.uploads import check_upload as check_upload_content
from govcloud.security.models import Attachment, AttachmentType
from govcloud.security.services.common import actor_user

FOLDER = "security"


def check_upload(upload, *, field: str = "attachment") -> FileType:
    """The upload's type, or a ValidationError for a file too large or of a type not accepted.
    Nothing is written before this passes."""
    return check_upload_content(upload, field=field)


def _store(*, actor: Actor, upload, file_type: FileType, field: str) -> Attachment:
    stored = store_private(upload, folder=f"{FOLDER}/{timezone.localdate():%Y}", file_type=file_type, field=field)
    return Attachment.objects.create(
        original_name=stored.original_name,
        content_type=AttachmentType(file_type.content_type),
        size=stored.size,
        sm3=stored.sm3,
        stored_path=stored.relative_path,
        uploaded_by=actor_user(actor),
    )


@contextmanager
def attachment_saved(*, actor: Actor, upload, field: str = "attachment") -> Iterator[Attachment | None]:
    """Store `upload` (already checked with check_upload) for the duration of the caller's
    transaction: if the service fails after this, the file is removed again, so a failed action
    leaves nothing behind. None when there is no upload."""
    if upload is None:
        yield None
        return
    file_type = check_upload(upload, field=field)
    attachment = _store(actor=actor, upload=upload, file_type=file_type, field=field)
    try:
        yield attachment
    except BaseException:
        remove_private(attachment.stored_path)
        raise


def attachment_open(*, actor: Actor, attachment: Attachment | None, owner: models.Model) -> Path:
    """The file to send (the caller has checked `owner` is in the actor's scope). Every download is
    an audit event on the owning record, so the department's auditor sees it."""
    if attachment is None:
        raise Http404(_("There is no attachment."))
    path = private_path(attachment.stored_path)
    audit_record(
        actor=actor,
        action="attachment.download",
        target=owner,
        message=f"{attachment.original_name} ({attachment.size} bytes, SM3 {attachment.sm3[:16]}…)",
    )
    return path
