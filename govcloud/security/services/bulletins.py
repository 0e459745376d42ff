"""The monthly security bulletin (Art. 17): the provider drafts and publishes one per month,
department users leave read receipts, and the center is warned when a month's bulletin is late."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import SYSTEM, Actor, actor_roles
from govcloud.core.permissions import require_role
from govcloud.core.roles import DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles
from govcloud.security.models import BulletinReceipt, BulletinStatus, SecurityBulletin
from govcloud.security.models.bulletins import BULLETIN_AUTHORS
from govcloud.security.selectors.calendar import bulletin_due, bulletin_months_to_check, month_start
from govcloud.security.services.attachments import attachment_saved, check_upload
from govcloud.security.services.common import actor_user, locked

BULLETIN_FIELDS = ("period", "title", "content", "attachment")


def _check_period(period: date) -> date:
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise ValidationError({"period": _("A bulletin reports on the current or a past month.")})
    return period


def _require_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def security_bulletin_create(
    *, actor: Actor, period: date, title: str, content: str, attachment=None, publish: bool = False
) -> SecurityBulletin:
    """The provider drafts the month's bulletin (one per month); `publish` publishes it at once."""
    require_role(actor, BULLETIN_AUTHORS)
    period = _check_period(period)
    title, content = _require_text(title, "title")[:200], _require_text(content, "content")
    if attachment is not None:
        check_upload(attachment)
    with transaction.atomic(), attachment_saved(actor=actor, upload=attachment) as stored:
        if SecurityBulletin.objects.filter(period=period).exists():
            raise ValidationError(
                {"period": _("There is already a bulletin for %(month)s.") % {"month": f"{period:%Y-%m}"}}
            )
        bulletin = SecurityBulletin(
            period=period, title=title, content=content, attachment=stored, created_by=actor_user(actor)
        )
        try:
            with transaction.atomic():
                bulletin.save()
        except IntegrityError:
            raise ValidationError(
                {"period": _("There is already a bulletin for %(month)s.") % {"month": f"{period:%Y-%m}"}}
            )
        audit_record(
            actor=actor, action="security_bulletin.create", target=bulletin, changes=created(bulletin, BULLETIN_FIELDS)
        )
        if publish:
            bulletin = _publish(actor, bulletin)
    return bulletin


def security_bulletin_update(
    *, actor: Actor, bulletin: SecurityBulletin, title: str | None = None, content: str | None = None, attachment=None
) -> SecurityBulletin:
    """Correct a draft; a published bulletin stays as the departments read it."""
    require_role(actor, BULLETIN_AUTHORS)
    if attachment is not None:
        check_upload(attachment)
    with transaction.atomic(), attachment_saved(actor=actor, upload=attachment) as stored:
        bulletin = locked(SecurityBulletin, actor, bulletin.pk)
        if bulletin.is_published:
            raise ValidationError(_("A published bulletin cannot be changed."))
        before = snapshot(bulletin, BULLETIN_FIELDS)
        if title is not None:
            bulletin.title = _require_text(title, "title")[:200]
        if content is not None:
            bulletin.content = _require_text(content, "content")
        if stored is not None:
            bulletin.attachment = stored
        bulletin.save()
        changes = diff(before, snapshot(bulletin, BULLETIN_FIELDS))
        if changes:
            audit_record(actor=actor, action="security_bulletin.update", target=bulletin, changes=changes)
    return bulletin


def _publish(actor: Actor, bulletin: SecurityBulletin) -> SecurityBulletin:
    bulletin.status = BulletinStatus.PUBLISHED
    bulletin.published_at, bulletin.published_by = timezone.now(), actor_user(actor)
    bulletin.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit_record(
        actor=actor,
        action="security_bulletin.publish",
        target=bulletin,
        changes={"status": [BulletinStatus.DRAFT, BulletinStatus.PUBLISHED]},
    )
    # Each department's head and security officer hear of it; everyone sees it in the list.
    notify_roles(
        roles={Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER, Role.CENTER_ADMIN},
        kind="security.bulletin_published",
        title=_("Security bulletin for %(month)s: %(title)s")
        % {"month": f"{bulletin.period:%Y-%m}", "title": bulletin.title},
        link=reverse("security:bulletin_detail", args=[bulletin.pk]),
    )
    return bulletin


def security_bulletin_publish(*, actor: Actor, bulletin: SecurityBulletin) -> SecurityBulletin:
    require_role(actor, BULLETIN_AUTHORS)
    with transaction.atomic():
        bulletin = locked(SecurityBulletin, actor, bulletin.pk)
        if bulletin.is_published:
            raise ValidationError(_("This bulletin is already published."))
        return _publish(actor, bulletin)


def security_bulletin_read(*, actor: Actor, bulletin: SecurityBulletin) -> BulletinReceipt | None:
    """A department user opened the bulletin: record the first time (later openings change
    nothing). Readers outside departments, and drafts, leave no receipt."""
    if not actor_roles(actor) & DEPARTMENT_ROLES:
        return None
    existing = BulletinReceipt.objects.filter(bulletin_id=bulletin.pk, reader=actor).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        bulletin = get_scoped_or_404(SecurityBulletin.objects.all(), actor, Action.VIEW, pk=bulletin.pk)
        if not bulletin.is_published:
            return None
        # The unique constraint settles two first readings at once: get_or_create re-reads.
        receipt, was_created = BulletinReceipt.objects.get_or_create(
            bulletin=bulletin,
            reader=actor,
            defaults={"organization": actor.organization, "read_at": timezone.now()},
        )
        if was_created:
            audit_record(
                actor=actor,
                action="security_bulletin.read",
                target=bulletin,
                subject_organization_path=actor.organization.path,
            )
    return receipt


def bulletins_missing_warn(*, actor: Actor = SYSTEM) -> list[date]:
    """Warn the center once per month when a month has no published bulletin after its due day
    (the Policy.BULLETIN_DUE_WORKING_DAY-th working day of the next month). Returns the months
    warned about now."""
    require_role(actor, {Role.CENTER_ADMIN})
    today = timezone.localdate()
    warned = []
    for period in bulletin_months_to_check(today):
        due = bulletin_due(period)
        if today <= due.due_on:
            continue
        if SecurityBulletin.objects.filter(period=period, status=BulletinStatus.PUBLISHED).exists():
            continue
        with transaction.atomic():
            sent = notify_roles(
                roles={Role.CENTER_ADMIN},
                kind="security.bulletin_missing",
                title=_("No security bulletin for %(month)s: it was due on %(due)s")
                % {"month": f"{period:%Y-%m}", "due": due.due_on.isoformat()},
                body=_("Art. 17: the provider publishes a security bulletin every month."),
                link=reverse("security:bulletin_list"),
                severity=Severity.WARNING,
                dedupe_key=f"security.bulletin_missing:{period:%Y-%m}",
            )
            if sent:
                audit_record(
                    actor=actor,
                    action="security_bulletin.missing_warning",
                    object_type="security.securitybulletin",
                    object_repr=f"{period:%Y-%m}",
                    message=_("Due on %(due)s; %(n)d people warned.") % {"due": due.due_on.isoformat(), "n": sent},
                )
                warned.append(period)
    return warned
