"""Sending notifications. Other apps call these explicitly after their own change (inside the
same transaction, so a rolled-back change notifies nobody).

E-mail: `notify` also writes an outbox row (`EmailDelivery`) for each recipient who wants e-mail
for that kind (kinds.py, NotificationPreference) and has an address, in the same transaction, and
asks a background task to send them once the transaction commits. The preferences and the outbox
live in email.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import is_system
from govcloud.core.roles import Role
from govcloud.notifications.email import email_queue_for
from govcloud.notifications.models import Notification, NotificationPreference, Severity


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    severity: Severity = Severity.INFO,
    dedupe_key: str = "",
) -> int:
    """Notify each recipient once. With a `dedupe_key`, a recipient who already has a notification
    with that key gets no second one (sweeps that run daily stay quiet after the first warning).
    Returns how many were created."""
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}
    if not users:
        return 0
    with transaction.atomic():
        if dedupe_key:
            already = set(
                Notification.objects.filter(recipient_id__in=users, dedupe_key=dedupe_key).values_list(
                    "recipient_id", flat=True
                )
            )
            users = {pk: u for pk, u in users.items() if pk not in already}
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    kind=kind,
                    title=str(title)[:200],
                    body=str(body),
                    link=link,
                    severity=severity,
                    dedupe_key=dedupe_key,
                )
                for pk in users
            ]
        )
        email_queue_for(created, users)
    return len(users)


def users_with_roles(roles: Iterable[Role], organization=None):
    """Active users holding any of `roles`, optionally within an organization's subtree."""
    users = get_user_model().objects.filter(is_active=True, role_assignments__role__in=list(roles)).distinct()
    if organization is not None:
        users = users.filter(organization__path__startswith=organization.path)
    return users


def notify_roles(*, roles: Iterable[Role], organization=None, **kwargs) -> int:
    """Notify everyone holding one of `roles` (in `organization` and its units, when given)."""
    return notify(recipients=users_with_roles(roles, organization), **kwargs)


def notification_mark_read(*, actor, notification: Notification | None = None) -> int:
    """Mark one notification (or all of the actor's) read."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())


def notifications_settle(*, link: str, kinds: Iterable[str]) -> int:
    """The step these notifications asked for has been taken (by whoever took it): they are read for
    every recipient, so nobody's bell keeps a task that is done. Informative kinds are not passed."""
    kinds = list(kinds)
    if not link or not kinds:
        return 0
    return Notification.objects.filter(link=link, kind__in=kinds, read_at__isnull=True).update(read_at=timezone.now())


# --- E-mail preferences -------------------------------------------------------------------------

_CHOICE_TEXT = {True: "on", False: "off", None: "default"}


def notification_preferences_set(*, actor, choices: Mapping[str, bool | None]) -> dict[str, list[str]]:
    """Set the actor's own e-mail choices: {kind: True (e-mail) / False (no e-mail) / None (the
    kind's default)}. Returns what changed ({kind: [before, after]}); one audit event."""
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Only a signed-in person has notification settings."))
    for kind in choices:
        if not kind or len(kind) > NotificationPreference._meta.get_field("kind").max_length:
            raise ValidationError({"kind": _("“%(kind)s” is not a notification kind.") % {"kind": kind[:80]}})
    with transaction.atomic():
        current = dict(
            NotificationPreference.objects.select_for_update()
            .filter(user=actor, kind__in=list(choices))
            .values_list("kind", "email")
        )
        changes: dict[str, list[str]] = {}
        for kind, choice in sorted(choices.items()):
            before = current.get(kind)
            if before == choice:
                continue
            if choice is None:
                NotificationPreference.objects.filter(user=actor, kind=kind).delete()
            else:
                NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"email": choice})
            changes[kind] = [_CHOICE_TEXT[before], _CHOICE_TEXT[choice]]
        if changes:
            audit_record(actor=actor, action="notification_preference.update", target=actor, changes=changes)
    return changes
