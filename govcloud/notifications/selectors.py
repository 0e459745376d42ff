from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from govcloud.core.actors import actor_roles
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.notifications.kinds import KINDS, URGENT_KINDS, email_default, kind_for, sms_default
from govcloud.notifications.models import (
    Channel,
    ChannelDelivery,
    ChannelMandate,
    Notification,
    NotificationPreference,
    Robot,
    Severity,
)


def notifications_for(*, user):
    return Notification.objects.restrict(user).order_by("-created_at")


def unread_count(*, user) -> int:
    return Notification.objects.restrict(user).filter(read_at__isnull=True).count()


def notification_get(*, user, pk) -> Notification:
    return get_scoped_or_404(Notification, user, pk=pk)


class DefaultEmail:
    """What happens for a kind when the person has not chosen."""

    ON = "on"
    OFF = "off"
    BY_SEVERITY = "severity"


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str | Promise
    group: str
    group_label: str | Promise
    default: str  # DefaultEmail
    choice: bool | None  # the person's explicit choice; None = the default
    sms_default: bool = False
    sms_choice: bool | None = None
    # Channels the center made mandatory for this kind (urgent kinds only).
    email_mandatory: bool = False
    sms_mandatory: bool = False
    urgent: bool = False

    @property
    def choice_value(self) -> str:
        return "" if self.choice is None else ("on" if self.choice else "off")

    @property
    def sms_choice_value(self) -> str:
        return "" if self.sms_choice is None else ("on" if self.sms_choice else "off")


def _default_of(kind: str) -> str:
    on_for_info = email_default(kind, Severity.INFO)
    on_for_warning = email_default(kind, Severity.WARNING)
    if on_for_info == on_for_warning:
        return DefaultEmail.ON if on_for_info else DefaultEmail.OFF
    return DefaultEmail.BY_SEVERITY


def preference_rows(*, user) -> list[PreferenceRow]:
    """The kinds this person receives or may receive, with their e-mail choice: the registered
    kinds for their roles, every kind they have received, every kind they have a choice for.
    Four queries whatever the volume."""
    roles = actor_roles(user)
    stored = {
        kind: (email, by_sms)
        for kind, email, by_sms in NotificationPreference.objects.restrict(user).values_list("kind", "email", "sms")
    }
    choices = {kind: email for kind, (email, _sms) in stored.items()}
    mandated = set(ChannelMandate.objects.values_list("kind", "channel"))
    received = set(Notification.objects.restrict(user).order_by().values_list("kind", flat=True).distinct())
    codes = {code for code, kind in KINDS.items() if kind.roles & roles} | received | set(choices)
    rows = []
    for code in codes:
        kind = kind_for(code)
        rows.append(
            PreferenceRow(
                kind=code,
                label=kind.label,
                group=kind.group,
                group_label=kind.group_label,
                default=_default_of(code),
                choice=choices.get(code),
                sms_default=sms_default(code, roles),
                sms_choice=stored.get(code, (None, None))[1],
                email_mandatory=(code, Channel.EMAIL) in mandated,
                sms_mandatory=(code, Channel.SMS) in mandated,
                urgent=code in URGENT_KINDS,
            )
        )
    return sorted(rows, key=lambda r: (str(r.group_label), r.group, str(r.label), r.kind))


def preference_kinds(*, user) -> set[str]:
    """The kinds the settings page offers this person (what a submitted form may change)."""
    return {row.kind for row in preference_rows(user=user)}


# --- Channels ---------------------------------------------------------------------------------------


def deliveries_for(*, user):
    """SMS and robot deliveries the user may see: their own SMS; a department head's department's;
    the center's all (the center sends the platform's notices)."""
    return ChannelDelivery.objects.restrict(user).select_related("robot").order_by("-created_at", "-pk")


def delivery_get(*, user, pk) -> ChannelDelivery:
    return get_scoped_or_404(ChannelDelivery.objects.select_related("robot"), user, pk=pk)


def robots_for(*, user, action: str = Action.VIEW):
    return Robot.objects.restrict(user, action).select_related("organization", "duty_team").order_by("name", "pk")


def robot_get(*, user, pk, action: str = Action.VIEW) -> Robot:
    return get_scoped_or_404(Robot.objects.select_related("organization", "duty_team"), user, action, pk=pk)


def mandates() -> set[tuple[str, str]]:
    return set(ChannelMandate.objects.values_list("kind", "channel"))
