"""Attachments of incidents: checked by content and size (core/uploads.py) before anything is
written, kept outside the web root under a random name, removed again if the action fails, and
every download audited on the incident."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor
from govcloud.core.uploads import check_upload, private_path, remove_private, store_private
from govcloud.incidents.models import Incident, IncidentAttachment, IncidentEntry
from govcloud.incidents.services.common import actor_user

FOLDER = "incidents"
MAX_FILES = 5


def check_uploads(uploads: Sequence, *, field: str = "attachments") -> list:
    """The uploads, each checked (type by content, size); nothing is written before this passes."""
    files = [f for f in uploads or () if f is not None]
    if len(files) > MAX_FILES:
        raise ValidationError({field: _("At most %(n)d files.") % {"n": MAX_FILES}})
    return [(f, check_upload(f, field=field)) for f in files]


@contextmanager
def attachments_saved(
    *, actor: Actor, incident: Incident, entry: IncidentEntry | None, checked: list
) -> Iterator[list[IncidentAttachment]]:
    """Store the checked uploads for the caller's transaction; if the action fails after this, the
    files are removed again."""
    saved: list[IncidentAttachment] = []
    try:
        for upload, file_type in checked:
            stored = store_private(
                upload, folder=f"{FOLDER}/{timezone.localdate():%Y}", file_type=file_type, field="attachments"
            )
            saved.append(
                IncidentAttachment.objects.create(
                    incident=incident,
                    entry=entry,
                    original_name=stored.original_name,
                    content_type=file_type.content_type,
                    size=stored.size,
                    sm3=stored.sm3,
                    stored_path=stored.relative_path,
                    uploaded_by=actor_user(actor),
                )
            )
        yield saved
    except BaseException:
        for attachment in saved:
            remove_private(attachment.stored_path)
        raise


def incident_attachment_open(*, actor: Actor, incident: Incident, attachment: IncidentAttachment) -> Path:
    """The file to send (the caller has checked the incident is in the actor's scope and the file
    belongs to it). Every download is an audit event on the incident."""
    path = private_path(attachment.stored_path)
    audit_record(
        actor=actor,
        action="incident.attachment_download",
        target=incident,
        message=f"{attachment.original_name} ({attachment.size} bytes, SM3 {attachment.sm3[:16]}…)",
    )
    return path
