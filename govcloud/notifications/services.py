"""Sending notifications. Other apps call these explicitly after their own change (inside the
same transaction, so a rolled-back change notifies nobody)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from govcloud.core.roles import Role
from govcloud.notifications.models import Notification, Severity


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
        Notification.objects.bulk_create(
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
