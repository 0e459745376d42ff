from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from govcloud.core.actors import actor_roles
from govcloud.core.scoping import get_scoped_or_404
from govcloud.notifications.kinds import KINDS, email_default, kind_for
from govcloud.notifications.models import Notification, NotificationPreference, Severity


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

    @property
    def choice_value(self) -> str:
        return "" if self.choice is None else ("on" if self.choice else "off")


def _default_of(kind: str) -> str:
    on_for_info = email_default(kind, Severity.INFO)
    on_for_warning = email_default(kind, Severity.WARNING)
    if on_for_info == on_for_warning:
        return DefaultEmail.ON if on_for_info else DefaultEmail.OFF
    return DefaultEmail.BY_SEVERITY


def preference_rows(*, user) -> list[PreferenceRow]:
    """The kinds this person receives or may receive, with their e-mail choice: the registered
    kinds for their roles, every kind they have received, every kind they have a choice for.
    Three queries whatever the volume."""
    roles = actor_roles(user)
    choices = dict(NotificationPreference.objects.restrict(user).values_list("kind", "email"))
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
            )
        )
    return sorted(rows, key=lambda r: (str(r.group_label), r.group, str(r.label), r.kind))


def preference_kinds(*, user) -> set[str]:
    """The kinds the settings page offers this person (what a submitted form may change)."""
    return {row.kind for row in preference_rows(user=user)}
