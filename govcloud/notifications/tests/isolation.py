"""The notifications part of the isolation harness (see tests/isolation.py)."""

from govcloud.core.roles import Role
from govcloud.notifications.models import (
    Channel,
    ChannelDelivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    Robot,
    RobotPlatform,
    ShortLink,
)
from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    world.a_notification = Notification.objects.create(recipient=world.a_user, kind="test", title=f"note{MARKER}")
    # A's own e-mail choice for a kind only A receives: B's settings must not list it.
    NotificationPreference.objects.create(user=world.a_user, kind=f"custom.{MARKER}", email=True)
    # Department A's group robot and its deliveries; A's SMS.
    world.a_head = world.city.user(Role.DEPARTMENT_HEAD, org=world.a_org, full_name=f"赵{MARKER}")
    world.a_robot = Robot.objects.create(
        name=f"robot{MARKER}",
        platform=RobotPlatform.WECOM,
        organization=world.a_org,
        webhook_url=f"https://qyapi.example.com/send?key={MARKER}",
        kinds=["incidents.major"],
    )
    world.a_sms = ChannelDelivery.objects.create(
        channel=Channel.SMS,
        kind="test",
        title=f"sms{MARKER}",
        recipient=world.a_user,
        organization_path=world.a_org.path,
        target="138****0000",
        status=DeliveryStatus.FAILED,
    )
    ChannelDelivery.objects.create(
        channel=Channel.ROBOT,
        kind="test",
        title=f"robotmsg{MARKER}",
        robot=world.a_robot,
        organization_path=world.a_org.path,
        target=f"robot{MARKER}",
    )
    world.a_short = ShortLink.objects.create(code="isoA1", path="/notifications/")


_robot = lambda w: {"pk": w.a_robot.pk}  # noqa: E731
_sms = lambda w: {"pk": w.a_sms.pk}  # noqa: E731
_missing = lambda w: MISSING_INT  # noqa: E731

ENDPOINTS = {
    "notifications:notification_list": Probe(Kind.LIST),
    "notifications:notification_badge": Probe(Kind.LIST),
    "notifications:notification_open": Probe(
        Kind.DETAIL, lambda w: {"pk": w.a_notification.pk}, lambda w: MISSING_INT, methods=("post",)
    ),
    "notifications:notification_read_all": Probe(Kind.SHARED, methods=("post",)),
    "notifications:preferences": Probe(Kind.LIST, methods=("get", "post"), owner_sees_marker=True),
    "notifications:channels": Probe(Kind.LIST, methods=("get", "post"), owner_sees_marker=True, owner="a_head"),
    "notifications:robot_create": Probe(
        Kind.SHARED, methods=("get", "post"), data={"name": "x", "platform": "wecom", "kinds": ["incidents.major"]}
    ),
    "notifications:robot_edit": Probe(
        Kind.DETAIL, _robot, _missing, methods=("get", "post"), owner_sees_marker=True, owner="a_head"
    ),
    "notifications:robot_delete": Probe(Kind.DETAIL, _robot, _missing, methods=("post",)),
    "notifications:delivery_list": Probe(Kind.LIST, owner_sees_marker=True),
    "short_link": Probe(Kind.PUBLIC, lambda w: {"code": "isoA1"}),
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
    "notification-delivery-list": Probe(Kind.LIST, owner_sees_marker=True),
    "notification-delivery-detail": Probe(Kind.DETAIL, _sms, _missing, owner_sees_marker=True),
    "notification-robot-list": Probe(Kind.LIST, methods=("get", "post"), owner_sees_marker=True, owner="a_head"),
    "notification-robot-detail": Probe(
        Kind.DETAIL,
        _robot,
        _missing,
        methods=("get", "patch", "delete"),
        owner_sees_marker=True,
        owner="a_head",
        data={"name": "renamed"},
    ),
}
