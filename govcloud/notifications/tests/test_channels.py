"""SMS through an HTTP gateway and group robots, sent to real HTTP servers on loopback that record
what they receive: the gateway down, slow, answering 500, a robot refusing a bad signature —
nothing is lost, each is retried with a growing pause and sent once the other side is back, and a
failing channel holds up neither the other channels nor the step that notified."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.notifications import channels, services
from govcloud.notifications.models import (
    Channel,
    ChannelDelivery,
    DeliveryStatus,
    EmailDelivery,
    Notification,
    NotificationPreference,
    Robot,
    RobotFormat,
    RobotPlatform,
    Severity,
    ShortLink,
)
from govcloud.notifications.robots import dingtalk_sign, signed_url
from govcloud.notifications.tests.http_sink import Behaviour, HttpSink

pytestmark = pytest.mark.django_db

BASE = "https://govcloud.example.gov.cn"
LINK = "/incidents/42/"
TITLE = "重大故障 GZ-2026-0042［一级］：政务外网出口中断，请立即处置并于当日报告"


@pytest.fixture
def gateway(settings):
    with HttpSink() as sink:
        settings.GOVCLOUD_BASE_URL = BASE
        settings.GOVCLOUD_SMS = {
            "url": sink.url("/sms/send"),
            "template_id": "SMS_2981",
            "signature": "台州政务云",
            "api_key": "k-123",
            "timeout": 0.5,
        }
        yield sink


@pytest.fixture
def engineer(city):
    return city.user(Role.PROVIDER_OPERATOR, phone="13800138000", email="ops@example.gov.cn")


def send(capture, **kwargs):
    kwargs.setdefault("kind", "incidents.new")
    kwargs.setdefault("title", TITLE)
    kwargs.setdefault("link", LINK)
    kwargs.setdefault("severity", Severity.DANGER)
    with capture(execute=True):
        return services.notify(**kwargs)


def later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


# --- SMS ------------------------------------------------------------------------------------------


def test_sms_by_role_default_reaches_the_gateway_with_signature_template_and_short_link(
    gateway, engineer, client, django_capture_on_commit_callbacks
):
    send(django_capture_on_commit_callbacks, recipients=[engineer])
    delivery = ChannelDelivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.target == "138****8000"
    parts = delivery.payload["parts"]
    assert len(gateway.accepted) == len(parts) >= 2
    first = gateway.accepted[0]
    assert first["phone"] == "13800138000"
    assert first["sign_name"] == "台州政务云" and first["template_id"] == "SMS_2981"
    assert first["out_id"] == f"govcloud-{delivery.pk}-1"
    assert gateway.received[0].headers["Authorization"] == "Bearer k-123"
    for body in gateway.accepted:
        assert len("【台州政务云】" + body["template_params"]["content"]) <= 70
    # The link is the platform's own short address, whole in the last part, and leads to the page.
    code = ShortLink.objects.get(path=LINK).code
    assert gateway.accepted[-1]["template_params"]["content"].endswith(f"{BASE}/s/{code}")
    response = client.get(f"/s/{code}")
    assert response.status_code == 302 and response["Location"] == LINK
    assert client.get("/s/nosuch").status_code == 404


def test_no_sms_for_those_who_did_not_choose_it_or_have_no_number(gateway, city, django_capture_on_commit_callbacks):
    applicant = city.user(Role.DEPARTMENT_APPLICANT, phone="13900000001")
    no_phone = city.user(Role.PROVIDER_OPERATOR, phone="")
    send(django_capture_on_commit_callbacks, recipients=[applicant, no_phone])
    assert not ChannelDelivery.objects.exists() and gateway.received == []
    services.notification_preferences_set(actor=applicant, sms={"incidents.new": True})
    send(django_capture_on_commit_callbacks, recipients=[applicant], title="短标题")
    assert [b["phone"] for b in gateway.accepted] == ["13900000001"]


def test_an_explicit_no_wins_over_the_role_default(gateway, engineer, django_capture_on_commit_callbacks):
    services.notification_preferences_set(actor=engineer, sms={"incidents.new": False})
    send(django_capture_on_commit_callbacks, recipients=[engineer])
    assert not ChannelDelivery.objects.exists()


def test_gateway_down_loses_nothing_and_sends_once_it_is_back(
    gateway, engineer, settings, django_capture_on_commit_callbacks
):
    port = gateway.port
    gateway.stop()
    send(django_capture_on_commit_callbacks, recipients=[engineer])
    delivery = ChannelDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at > timezone.now()
    # The e-mail and the notification itself went through regardless.
    assert Notification.objects.filter(recipient=engineer).count() == 1
    assert len(mail.outbox) == 1
    # Not due yet: the sweep leaves it alone.
    assert channels.channel_deliveries_send()["sent"] == 0
    with HttpSink(port=port) as back, later(1):
        assert channels.channel_deliveries_send()["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.last_error == ""
    assert len(back.accepted) == len(delivery.payload["parts"])
    assert [b["out_id"] for b in back.accepted] == [
        f"govcloud-{delivery.pk}-{i + 1}" for i in range(len(delivery.payload["parts"]))
    ]


def test_a_slow_gateway_times_out_and_is_retried(gateway, engineer, django_capture_on_commit_callbacks):
    gateway.behaviour = Behaviour(delay=1.5)
    send(django_capture_on_commit_callbacks, recipients=[engineer], title="短标题")
    delivery = ChannelDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.last_error.lower()
    gateway.behaviour = Behaviour()
    with later(1):
        channels.channel_deliveries_send()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_500_is_retried_with_exponential_back_off_then_failed_and_audited(
    gateway, engineer, django_capture_on_commit_callbacks
):
    gateway.behaviour = Behaviour(status=500, answer={"code": "ERR"})
    start = timezone.now()
    send(django_capture_on_commit_callbacks, recipients=[engineer], title="短标题")
    delivery = ChannelDelivery.objects.get()
    assert delivery.last_error.startswith("HTTP 500")
    pauses = []
    moment = start
    for _attempt in range(channels.MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        pauses.append(round((delivery.next_attempt_at - moment).total_seconds()))
        moment = delivery.next_attempt_at
        with time_machine.travel(moment + timedelta(seconds=1), tick=False):
            channels.channel_deliveries_send()
            moment = timezone.now()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == channels.MAX_ATTEMPTS
    # 30 s, then doubling, capped at an hour.
    assert pauses == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600], pauses
    assert [channels.retry_pause(n).total_seconds() for n in (1, 2, 3, 8, 9)] == [30, 60, 120, 3600, 3600]
    event = AuditEvent.objects.get(action="notification_sms.failed")
    assert "138****8000" in event.message and "13800138000" not in event.message
    assert len(gateway.received) == channels.MAX_ATTEMPTS


def test_a_retry_sends_only_the_parts_not_yet_accepted(gateway, engineer, django_capture_on_commit_callbacks):
    long = "政务云平台" * 40
    gateway.behaviour = Behaviour()
    original = gateway.RequestHandlerClass.do_POST
    calls = {"n": 0}

    def second_fails(handler):
        calls["n"] += 1
        if calls["n"] == 2:
            gateway.behaviour = Behaviour(status=503, answer={"code": "BUSY"})
        original(handler)
        gateway.behaviour = Behaviour()

    gateway.RequestHandlerClass.do_POST = second_fails
    try:
        send(django_capture_on_commit_callbacks, recipients=[engineer], title=long)
    finally:
        gateway.RequestHandlerClass.do_POST = original
    delivery = ChannelDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.parts_sent == 1
    with later(1):
        channels.channel_deliveries_send()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    ids = [b["out_id"] for b in gateway.accepted]
    assert ids == [f"govcloud-{delivery.pk}-{i + 1}" for i in range(len(delivery.payload["parts"]))]


def test_a_queueing_error_never_blocks_the_step(gateway, engineer, monkeypatch, django_capture_on_commit_callbacks):
    def broken(notifications):
        raise RuntimeError("boom")

    monkeypatch.setattr(channels, "_queue", broken)
    assert send(django_capture_on_commit_callbacks, recipients=[engineer]) == 1
    assert Notification.objects.count() == 1 and EmailDelivery.objects.count() == 1
    assert not ChannelDelivery.objects.exists()


# --- Robots -----------------------------------------------------------------------------------------


def _robot(sink, *, platform=RobotPlatform.DINGTALK, secret="SECgood", org=None, duty=None, **kw):
    return Robot.objects.create(
        name=kw.pop("name", "值班群"),
        platform=platform,
        organization=org,
        duty_team=duty,
        webhook_url=sink.url("/robot/send?access_token=tok123"),
        secret=secret,
        kinds=kw.pop("kinds", ["incidents.new", "incidents.major"]),
        **kw,
    )


@pytest.fixture(autouse=True)
def loopback_robots(settings):
    settings.GOVCLOUD_ROBOT_HOSTS = ["127.0.0.1"]


@pytest.fixture
def duty_team():
    from django.apps import apps

    return apps.get_model("incidents", "DutyTeam").objects.create(name="一线值班")


def test_dingtalk_robot_signs_and_a_bad_signature_is_refused_then_retried(
    city, engineer, duty_team, settings, django_capture_on_commit_callbacks
):
    settings.GOVCLOUD_BASE_URL = BASE
    with HttpSink(behaviour=Behaviour(dingtalk_secret="SECgood")) as robot_sink:
        robot = _robot(robot_sink, secret="SECwrong", duty=duty_team)
        send(django_capture_on_commit_callbacks, recipients=[engineer])
        delivery = ChannelDelivery.objects.get(channel=Channel.ROBOT)
        assert delivery.status == DeliveryStatus.PENDING and "310000" in delivery.last_error
        assert robot_sink.accepted == []
        received = robot_sink.received[0]
        assert received.query["access_token"] == ["tok123"] and "sign" in received.query
        services.robot_update(actor=city.user(Role.CENTER_ADMIN), robot=robot, secret="SECgood")
        with later(1):
            channels.channel_deliveries_send()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT
        message = robot_sink.accepted[0]
        assert message["msgtype"] == "markdown"
        assert TITLE in message["markdown"]["text"] and f"{BASE}{LINK}" in message["markdown"]["text"]


def test_wecom_text_robot_of_a_department_posts_only_its_departments_notifications(
    city, settings, django_capture_on_commit_callbacks
):
    settings.GOVCLOUD_BASE_URL = BASE
    head_a = city.user(Role.DEPARTMENT_HEAD, org=city.unit_a)
    head_b = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
    with HttpSink() as sink:
        _robot(sink, platform=RobotPlatform.WECOM, secret="", org=city.dept_a, message_format=RobotFormat.TEXT)
        send(django_capture_on_commit_callbacks, recipients=[head_b], kind="incidents.major")
        assert sink.received == []
        send(django_capture_on_commit_callbacks, recipients=[head_a, head_b], kind="incidents.major")
        assert len(sink.accepted) == 1  # one message to the group, not one per person
        assert sink.accepted[0] == {"msgtype": "text", "text": {"content": f"{TITLE}\n{BASE}{LINK}"}}
        assert "sign" not in sink.received[0].query
        # A kind the robot does not post.
        send(django_capture_on_commit_callbacks, recipients=[head_a], kind="incidents.update")
        assert len(sink.received) == 1


def test_a_failing_channel_never_blocks_another(gateway, engineer, duty_team, django_capture_on_commit_callbacks):
    gateway.behaviour = Behaviour(status=500)
    with HttpSink() as robot_sink:
        _robot(robot_sink, secret="", duty=duty_team)
        send(django_capture_on_commit_callbacks, recipients=[engineer])
        assert len(robot_sink.accepted) == 1
    statuses = dict(ChannelDelivery.objects.values_list("channel", "status"))
    assert statuses == {Channel.SMS: DeliveryStatus.PENDING, Channel.ROBOT: DeliveryStatus.SENT}
    assert len(mail.outbox) == 1


def test_dingtalk_signature_matches_the_documented_algorithm():
    # Value computed independently: base64(hmac_sha256("SECabc", "1700000000000\nSECabc")).
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()).decode()
    assert dingtalk_sign("SECabc", 1700000000000) == expected
    url = signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x",
        platform="dingtalk",
        secret="SECabc",
        now_ms=1700000000000,
    )
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign=")
    assert "+" not in url.split("sign=")[1] and "/" not in url.split("sign=")[1]
    assert (
        signed_url("https://qyapi.weixin.qq.com/x?key=1", platform="wecom", secret="s")
        == "https://qyapi.weixin.qq.com/x?key=1"
    )


# --- Mandatory channels ------------------------------------------------------------------------------


def test_the_center_makes_sms_mandatory_for_an_urgent_kind(gateway, city, django_capture_on_commit_callbacks):
    head = city.user(Role.DEPARTMENT_HEAD, phone="13700000000", email="head@example.gov.cn")
    services.notification_preferences_set(
        actor=head, sms={"incidents.major": False}, choices={"incidents.major": False}
    )
    admin = city.user(Role.CENTER_ADMIN)
    with pytest.raises(PermissionDenied):
        services.channel_mandates_set(actor=head, mandates=[("incidents.major", Channel.SMS)])
    with pytest.raises(ValidationError):
        services.channel_mandates_set(actor=admin, mandates=[("incidents.update", Channel.SMS)])
    services.channel_mandates_set(
        actor=admin, mandates=[("incidents.major", Channel.SMS), ("incidents.major", Channel.EMAIL)]
    )
    event = AuditEvent.objects.get(action="notification_mandate.update")
    assert event.actor_id == admin.pk and "incidents.major:sms" in event.changes
    send(django_capture_on_commit_callbacks, recipients=[head], kind="incidents.major", title="短标题")
    assert [b["phone"] for b in gateway.accepted] == ["13700000000"]
    assert EmailDelivery.objects.filter(recipient=head).exists()
    # Nobody can turn a mandatory channel off.
    with pytest.raises(ValidationError):
        services.notification_preferences_set(actor=head, sms={"incidents.major": False})
    # Saving the same set again records nothing.
    services.channel_mandates_set(
        actor=admin, mandates=[("incidents.major", Channel.SMS), ("incidents.major", Channel.EMAIL)]
    )
    assert AuditEvent.objects.filter(action="notification_mandate.update").count() == 1


def test_preferences_page_saves_sms_choices_and_shows_mandates(client, gateway, city):
    from conftest import login

    head = city.user(Role.DEPARTMENT_HEAD, phone="13700000000")
    services.channel_mandates_set(actor=city.user(Role.CENTER_ADMIN), mandates=[("incidents.major", Channel.EMAIL)])
    login(client, head)
    html = client.get("/notifications/preferences/").content.decode()
    assert 'name="sms:incidents.update"' in html
    assert 'data-testid="mandatory-email-incidents.major"' in html and 'name="kind:incidents.major"' not in html
    response = client.post("/notifications/preferences/", {"sms:incidents.update": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=head, kind="incidents.update").sms is True
    assert client.post("/notifications/preferences/", {"sms:incidents.update": "sometimes"}).status_code == 400


def test_a_robot_on_a_host_not_allowed_is_never_posted(city, duty_team, settings, django_capture_on_commit_callbacks):
    settings.GOVCLOUD_ROBOT_HOSTS = ["oapi.dingtalk.com"]
    engineer = city.user(Role.PROVIDER_OPERATOR)
    with HttpSink() as sink:
        _robot(sink, secret="", duty=duty_team)
        send(django_capture_on_commit_callbacks, recipients=[engineer])
        assert sink.received == []
    assert "GOVCLOUD_ROBOT_HOSTS" in ChannelDelivery.objects.get().last_error
    with pytest.raises(ValidationError):
        services.robot_create(
            actor=city.user(Role.CENTER_ADMIN),
            name="内网",
            platform=RobotPlatform.WECOM,
            webhook_url="http://127.0.0.1:6379/",
            kinds=["incidents.new"],
            duty_team=duty_team,
        )
