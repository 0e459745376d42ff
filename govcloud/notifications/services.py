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
from govcloud.core.actors import actor_roles, is_system
from govcloud.core.roles import Role
from govcloud.notifications.channels import channels_queue_for
from govcloud.notifications.email import email_queue_for
from govcloud.notifications.kinds import URGENT_KINDS, kind_for
from govcloud.notifications.models import (
    PERSONAL_CHANNELS,
    Channel,
    ChannelMandate,
    Notification,
    NotificationPreference,
    Robot,
    RobotFormat,
    Severity,
)
from govcloud.notifications.robots import host_allowed


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
        channels_queue_for(created, users)
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


# --- Preferences (e-mail, SMS) ----------------------------------------------------------------------

_CHOICE_TEXT = {True: "on", False: "off", None: "default"}


def notification_preferences_set(
    *, actor, choices: Mapping[str, bool | None] | None = None, sms: Mapping[str, bool | None] | None = None
) -> dict[str, list[str]]:
    """Set the actor's own choices per kind: `choices` for e-mail, `sms` for SMS; each {kind: True
    (send) / False (do not) / None (the default)}. Returns what changed ({kind: [before, after]} for
    e-mail, {"sms:<kind>": …} for SMS); one audit event. A channel the center made mandatory for a
    kind cannot be turned off."""
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Only a signed-in person has notification settings."))
    wanted = {Channel.EMAIL: dict(choices or {}), Channel.SMS: dict(sms or {})}
    max_length = NotificationPreference._meta.get_field("kind").max_length
    for per_kind in wanted.values():
        for kind in per_kind:
            if not kind or len(kind) > max_length:
                raise ValidationError({"kind": _("“%(kind)s” is not a notification kind.") % {"kind": kind[:80]}})
    kinds = set(wanted[Channel.EMAIL]) | set(wanted[Channel.SMS])
    mandated = set(ChannelMandate.objects.filter(kind__in=kinds).values_list("kind", "channel"))
    for channel, per_kind in wanted.items():
        for kind, choice in per_kind.items():
            if choice is False and (kind, channel) in mandated:
                raise ValidationError(
                    {
                        "kind": _("The center requires %(channel)s for “%(kind)s”; it cannot be turned off.")
                        % {"channel": Channel(channel).label, "kind": kind_for(kind).label}
                    }
                )
    with transaction.atomic():
        current = {
            kind: {Channel.EMAIL: email, Channel.SMS: by_sms}
            for kind, email, by_sms in NotificationPreference.objects.select_for_update()
            .filter(user=actor, kind__in=kinds)
            .values_list("kind", "email", "sms")
        }
        changes: dict[str, list[str]] = {}
        for kind in sorted(kinds):
            before = current.get(kind, {Channel.EMAIL: None, Channel.SMS: None})
            after = dict(before)
            for channel in (Channel.EMAIL, Channel.SMS):
                if kind in wanted[channel]:
                    after[channel] = wanted[channel][kind]
            if after == before:
                continue
            for channel in (Channel.EMAIL, Channel.SMS):
                if after[channel] != before[channel]:
                    key = kind if channel == Channel.EMAIL else f"sms:{kind}"
                    changes[key] = [_CHOICE_TEXT[before[channel]], _CHOICE_TEXT[after[channel]]]
            if after[Channel.EMAIL] is None and after[Channel.SMS] is None:
                NotificationPreference.objects.filter(user=actor, kind=kind).delete()
            else:
                NotificationPreference.objects.update_or_create(
                    user=actor, kind=kind, defaults={"email": after[Channel.EMAIL], "sms": after[Channel.SMS]}
                )
        if changes:
            audit_record(actor=actor, action="notification_preference.update", target=actor, changes=changes)
    return changes


# --- Mandatory channels (the center) ------------------------------------------------------------------


def channel_mandates_set(*, actor, mandates: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The center administrator sets which channels are mandatory for the urgent kinds: the full set
    of (kind, channel) pairs. Only urgent kinds and personal channels. One audit event."""
    if Role.CENTER_ADMIN not in actor_roles(actor):
        raise PermissionDenied(_("Only the center's administrator sets mandatory channels."))
    wanted = set(mandates)
    for kind, channel in wanted:
        if kind not in URGENT_KINDS or channel not in PERSONAL_CHANNELS:
            raise ValidationError(_("Only e-mail and SMS of the urgent kinds can be made mandatory."))
    with transaction.atomic():
        current = set(ChannelMandate.objects.select_for_update().values_list("kind", "channel"))
        added, removed = wanted - current, current - wanted
        if not added and not removed:
            return {}
        for kind, channel in removed:
            ChannelMandate.objects.filter(kind=kind, channel=channel).delete()
        ChannelMandate.objects.bulk_create([ChannelMandate(kind=k, channel=c) for k, c in sorted(added)])
        changes = {f"{k}:{c}": ["optional", "mandatory"] for k, c in sorted(added)}
        changes |= {f"{k}:{c}": ["mandatory", "optional"] for k, c in sorted(removed)}
        audit_record(actor=actor, action="notification_mandate.update", changes=changes)
    return changes


# --- Group robots -------------------------------------------------------------------------------------

_ROBOT_FIELDS = ("name", "platform", "message_format", "kinds", "is_active")


def _check_robot_group(actor, *, organization, duty_team) -> None:
    roles = actor_roles(actor)
    if (organization is None) == (duty_team is None):
        raise ValidationError(_("Choose either an organization or a duty team for the robot."))
    if Role.CENTER_ADMIN in roles:
        return
    if duty_team is not None:
        if Role.PROVIDER_OPERATOR not in roles:
            raise PermissionDenied(_("Only the center and the provider's operators manage duty teams' robots."))
        return
    user_org = getattr(actor, "organization", None)
    if Role.DEPARTMENT_HEAD not in roles or user_org is None or not organization.path.startswith(user_org.path):
        raise PermissionDenied(_("Only the department's head manages the robot of its group."))


def _clean_robot(*, name: str, webhook_url: str, kinds: list[str]) -> None:
    if not name.strip():
        raise ValidationError({"name": _("Give the robot a name.")})
    if webhook_url and not webhook_url.lower().startswith(("https://", "http://")):
        raise ValidationError({"webhook_url": _("The webhook address must start with https://.")})
    if webhook_url and not host_allowed(webhook_url):
        raise ValidationError(
            {"webhook_url": _("This host is not a robot platform the platform is set up for (GOVCLOUD_ROBOT_HOSTS).")}
        )
    if not kinds:
        raise ValidationError({"kinds": _("Choose at least one kind of notification.")})


def robot_create(
    *,
    actor,
    name: str,
    platform: str,
    webhook_url: str,
    secret: str = "",
    message_format: str = RobotFormat.MARKDOWN,
    kinds: list[str],
    organization=None,
    duty_team=None,
    is_active: bool = True,
) -> Robot:
    """A robot for a department's group (its head, or the center) or a duty team's group (the
    provider's operators, or the center)."""
    _check_robot_group(actor, organization=organization, duty_team=duty_team)
    if not webhook_url:
        raise ValidationError({"webhook_url": _("Enter the robot's webhook address.")})
    _clean_robot(name=name, webhook_url=webhook_url, kinds=kinds)
    with transaction.atomic():
        robot = Robot.objects.create(
            name=name.strip(),
            platform=platform,
            message_format=message_format,
            organization=organization,
            duty_team=duty_team,
            webhook_url=webhook_url.strip(),
            secret=secret.strip(),
            kinds=sorted(set(kinds)),
            is_active=is_active,
        )
        audit_record(
            actor=actor,
            action="notification_robot.create",
            target=robot,
            changes={f: [None, str(getattr(robot, f))] for f in _ROBOT_FIELDS},
            subject_organization_path=organization.path if organization else "",
        )
    return robot


def robot_update(*, actor, robot: Robot, webhook_url: str = "", secret: str = "", **fields) -> Robot:
    """Change a robot. An empty webhook address or secret keeps the saved one (they are never shown
    back); `clear_secret=True` removes the secret."""
    clear_secret = fields.pop("clear_secret", False)
    _check_robot_group(actor, organization=robot.organization, duty_team=robot.duty_team)
    unknown = set(fields) - set(_ROBOT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _clean_robot(name=fields.get("name", robot.name), webhook_url=webhook_url, kinds=fields.get("kinds", robot.kinds))
    with transaction.atomic():
        robot = Robot.objects.select_for_update().get(pk=robot.pk)
        changes = {}
        for field, value in fields.items():
            if field == "kinds":
                value = sorted(set(value))
            if getattr(robot, field) != value:
                changes[field] = [str(getattr(robot, field)), str(value)]
                setattr(robot, field, value)
        if webhook_url and webhook_url.strip() != robot.webhook_url:
            robot.webhook_url = webhook_url.strip()
            changes["webhook_url"] = ["…", "changed"]  # never the value: it carries the key
        if secret and secret.strip() != robot.secret:
            robot.secret = secret.strip()
            changes["secret"] = ["…", "changed"]
        elif clear_secret and robot.secret:
            robot.secret = ""
            changes["secret"] = ["…", "removed"]
        if changes:
            robot.save()
            audit_record(
                actor=actor,
                action="notification_robot.update",
                target=robot,
                changes=changes,
                subject_organization_path=robot.organization.path if robot.organization_id else "",
            )
    return robot


def robot_delete(*, actor, robot: Robot) -> None:
    _check_robot_group(actor, organization=robot.organization, duty_team=robot.duty_team)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="notification_robot.delete",
            target=robot,
            subject_organization_path=robot.organization.path if robot.organization_id else "",
        )
        robot.delete()
