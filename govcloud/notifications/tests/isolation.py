"""The notifications part of the isolation harness (see tests/isolation.py)."""

from govcloud.notifications.models import Notification, NotificationPreference
from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    world.a_notification = Notification.objects.create(recipient=world.a_user, kind="test", title=f"note{MARKER}")
    # A's own e-mail choice for a kind only A receives: B's settings must not list it.
    NotificationPreference.objects.create(user=world.a_user, kind=f"custom.{MARKER}", email=True)


ENDPOINTS = {
    "notifications:notification_list": Probe(Kind.LIST),
    "notifications:notification_badge": Probe(Kind.LIST),
    "notifications:notification_open": Probe(
        Kind.DETAIL, lambda w: {"pk": w.a_notification.pk}, lambda w: MISSING_INT, methods=("post",)
    ),
    "notifications:notification_read_all": Probe(Kind.SHARED, methods=("post",)),
    "notifications:preferences": Probe(Kind.LIST, methods=("get", "post"), owner_sees_marker=True),
    "notification-list": Probe(Kind.LIST),
    "notification-detail": Probe(
        Kind.DETAIL, lambda w: {"pk": w.a_notification.pk}, lambda w: MISSING_INT, owner_sees_marker=True
    ),
    "notification-read": Probe(
        Kind.DETAIL, lambda w: {"pk": w.a_notification.pk}, lambda w: MISSING_INT, methods=("post",)
    ),
    "notification-preference-list": Probe(
        Kind.LIST, methods=("get", "post"), data={"kind": f"custom.{MARKER}", "email": False}, owner_sees_marker=True
    ),
}
