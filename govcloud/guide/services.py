"""Writes of the service guide: the center administrator's announcements. Keyword-only, one
transaction each, role check, row lock, one audit event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import Actor, actor_name, is_system
from govcloud.core.permissions import require_role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.guide.models import ANNOUNCEMENT_EDITORS, Announcement

ANNOUNCEMENT_FIELDS = ("title", "body", "pinned", "published_at")
TITLE_MAX = 200


def _clean(title: str | None, body: str | None) -> tuple[str | None, str | None]:
    errors = {}
    if title is not None:
        title = " ".join(title.split())
        if not title:
            errors["title"] = _("This field is required.")
        elif len(title) > TITLE_MAX:
            errors["title"] = _("At most %(max)s characters.") % {"max": TITLE_MAX}
    if body is not None:
        body = body.strip()
        if not body:
            errors["body"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    return title, body


def _locked(actor: Actor, announcement: Announcement) -> Announcement:
    queryset = Announcement.objects.select_for_update(of=("self",))
    return get_scoped_or_404(queryset, actor, Action.CHANGE, pk=announcement.pk)


def announcement_create(
    *, actor: Actor, title: str, body: str, pinned: bool = False, publish: bool = False
) -> Announcement:
    """A new announcement, a draft unless `publish`."""
    require_role(actor, ANNOUNCEMENT_EDITORS)
    title, body = _clean(title, body)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            title=title,
            body=body,
            pinned=bool(pinned),
            published_at=timezone.now() if publish else None,
            created_by=None if is_system(actor) else actor,
            updated_by_name=actor_name(actor),
        )
        audit_record(
            actor=actor,
            action="announcement.create",
            target=announcement,
            changes=created(announcement, ANNOUNCEMENT_FIELDS),
        )
    return announcement


def announcement_update(
    *,
    actor: Actor,
    announcement: Announcement,
    title: str | None = None,
    body: str | None = None,
    pinned: bool | None = None,
) -> Announcement:
    """Correct an announcement (published or not: a correction shows at once)."""
    require_role(actor, ANNOUNCEMENT_EDITORS)
    title, body = _clean(title, body)
    with transaction.atomic():
        row = _locked(actor, announcement)
        before = snapshot(row, ANNOUNCEMENT_FIELDS)
        if title is not None:
            row.title = title
        if body is not None:
            row.body = body
        if pinned is not None:
            row.pinned = bool(pinned)
        changes = diff(before, snapshot(row, ANNOUNCEMENT_FIELDS))
        if changes:
            row.updated_by_name = actor_name(actor)
            row.save()
            audit_record(actor=actor, action="announcement.update", target=row, changes=changes)
    return row


def announcement_publish(*, actor: Actor, announcement: Announcement) -> Announcement:
    require_role(actor, ANNOUNCEMENT_EDITORS)
    with transaction.atomic():
        row = _locked(actor, announcement)
        if row.is_published:
            raise ValidationError(_("This announcement is already published."))
        row.published_at = timezone.now()
        row.updated_by_name = actor_name(actor)
        row.save(update_fields=["published_at", "updated_by_name", "updated_at"])
        audit_record(
            actor=actor,
            action="announcement.publish",
            target=row,
            changes={"published_at": [None, row.published_at.isoformat()]},
        )
    return row


def announcement_unpublish(*, actor: Actor, announcement: Announcement) -> Announcement:
    """Take an announcement off the guide (it is kept as a draft)."""
    require_role(actor, ANNOUNCEMENT_EDITORS)
    with transaction.atomic():
        row = _locked(actor, announcement)
        if not row.is_published:
            raise ValidationError(_("This announcement is not published."))
        was = row.published_at
        row.published_at = None
        row.updated_by_name = actor_name(actor)
        row.save(update_fields=["published_at", "updated_by_name", "updated_at"])
        audit_record(
            actor=actor,
            action="announcement.unpublish",
            target=row,
            changes={"published_at": [was.isoformat(), None]},
        )
    return row
