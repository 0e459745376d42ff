"""Managing group robots (pages and API): the right role per group, secrets never shown back,
audited; the deliveries page and API scoped to the reader."""

from __future__ import annotations

import pytest

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.notifications import services
from govcloud.notifications.models import Channel, ChannelDelivery, DeliveryStatus, NotificationPreference, Robot
from tests.test_api import api_for
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY693"
URL = "/api/v1/notification-robots/"


def test_a_head_adds_the_departments_robot_and_its_key_is_never_shown_back(client, city):
    head = city.user(Role.DEPARTMENT_HEAD)
    login(client, head)
    response = client.post(
        "/notifications/robots/new/",
        {
            "name": "甲局工作群",
            "platform": "dingtalk",
            "message_format": "markdown",
            "organization": city.dept_a.pk,
            "webhook_url": HOOK,
            "secret": "SECsigning991",
            "kinds": ["incidents.major", "incidents.update"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    robot = Robot.objects.get()
    assert robot.organization == city.dept_a and robot.webhook_url == HOOK and robot.secret == "SECsigning991"
    for page in ("/notifications/channels/", f"/notifications/robots/{robot.pk}/edit/"):
        html = client.get(page).content.decode()
        assert "甲局工作群" in html and "SECRETKEY693" not in html and "SECsigning991" not in html
    data = api_for(head).get(URL).json()
    text = str(data)
    assert "甲局工作群" in text and "SECRETKEY693" not in text and "SECsigning991" not in text
    event = AuditEvent.objects.get(action="notification_robot.create")
    assert "SECRETKEY693" not in str(event.changes) and "SECsigning991" not in str(event.changes)
    # Saving the form with the secret fields empty keeps them.
    client.post(
        f"/notifications/robots/{robot.pk}/edit/",
        {
            "name": "甲局值守群",
            "platform": "dingtalk",
            "message_format": "text",
            "kinds": ["incidents.major"],
            "is_active": "on",
        },
    )
    robot.refresh_from_db()
    assert robot.name == "甲局值守群" and robot.webhook_url == HOOK and robot.secret == "SECsigning991"
    assert robot.message_format == "text"


def test_a_head_cannot_add_a_robot_for_another_department_nor_an_applicant_at_all(client, city):
    head = city.user(Role.DEPARTMENT_HEAD)
    data = {"name": "x", "platform": "wecom", "webhook_url": HOOK, "kinds": ["incidents.major"]}
    assert api_for(head).post(URL, {**data, "organization": city.dept_b.pk}, format="json").status_code == 403
    response = api_for(city.user(Role.DEPARTMENT_APPLICANT)).post(
        URL, {**data, "organization": city.dept_a.pk}, format="json"
    )
    assert response.status_code == 403
    assert (
        api_for(head)
        .post(URL, {**data, "organization": city.dept_a.pk, "webhook_url": "ftp://x"}, format="json")
        .status_code
        == 400
    )
    assert (
        api_for(head).post(URL, {**data, "organization": city.dept_a.pk, "kinds": []}, format="json").status_code == 400
    )
    # Without an address (the fuzzer's "required fields only" body answered 500 once): a clear 400.
    bare = {k: v for k, v in data.items() if k != "webhook_url"}
    missing = api_for(head).post(URL, {**bare, "organization": city.dept_a.pk}, format="json")
    assert missing.status_code == 400 and "webhook_url" in missing.json()
    assert not Robot.objects.exists()
    created = api_for(head).post(URL, {**data, "organization": city.dept_a.pk}, format="json")
    assert created.status_code == 201 and created.json()["signed"] is False
    assert "webhook_url" not in created.json() and created.json()["webhook_hint"].startswith("https://qyapi")


def test_duty_team_robots_belong_to_the_provider_and_the_center(city):
    from django.apps import apps

    team = apps.get_model("incidents", "DutyTeam").objects.create(name="一线值班")
    data = {
        "name": "值班群",
        "platform": "wecom",
        "webhook_url": HOOK,
        "kinds": ["incidents.new"],
        "duty_team": team.pk,
    }
    assert api_for(city.user(Role.DEPARTMENT_HEAD)).post(URL, data, format="json").status_code == 403
    operator = city.user(Role.PROVIDER_OPERATOR)
    created = api_for(operator).post(URL, data, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api_for(operator).patch(f"{URL}{pk}/", {"is_active": False}, format="json").status_code == 200
    assert api_for(city.user(Role.DEPARTMENT_HEAD)).get(f"{URL}{pk}/").status_code == 404
    assert api_for(city.user(Role.CENTER_ADMIN)).delete(f"{URL}{pk}/").status_code == 204
    assert AuditEvent.objects.filter(action="notification_robot.delete").count() == 1


def test_only_the_center_admin_sets_mandates_on_the_page(client, city):
    login(client, city.user(Role.DEPARTMENT_HEAD))
    assert client.post("/notifications/channels/", {"mandate": ["incidents.major:sms"]}).status_code == 403
    login(client, city.user(Role.CENTER_ADMIN))
    assert client.post("/notifications/channels/", {"mandate": ["incidents.major:sms"]}).status_code == 302
    assert client.post("/notifications/channels/", {"mandate": ["incidents.update:sms"]}).status_code == 400
    from govcloud.notifications.models import ChannelMandate

    assert list(ChannelMandate.objects.values_list("kind", "channel")) == [("incidents.major", "sms")]


def _delivery(user, org_path, title):
    return ChannelDelivery.objects.create(
        channel=Channel.SMS,
        kind="x",
        title=title,
        recipient=user,
        organization_path=org_path,
        status=DeliveryStatus.FAILED,
    )


def test_deliveries_are_scoped(client, city):
    a_user = city.user(Role.DEPARTMENT_APPLICANT)
    a_colleague = city.user(Role.DEPARTMENT_APPLICANT)
    _delivery(a_user, city.dept_a.path, "mine-A")
    _delivery(a_colleague, city.dept_a.path, "colleague-A")
    _delivery(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b), city.dept_b.path, "other-B")

    def titles(user):
        return {d["title"] for d in api_for(user).get("/api/v1/notification-deliveries/").json()["results"]}

    assert titles(a_user) == {"mine-A"}
    assert titles(city.user(Role.DEPARTMENT_HEAD)) == {"mine-A", "colleague-A"}
    assert titles(city.user(Role.CENTER_ADMIN)) == {"mine-A", "colleague-A", "other-B"}
    login(client, a_user)
    html = client.get("/notifications/deliveries/?status=failed").content.decode()
    assert "mine-A" in html and "colleague-A" not in html
    assert api_for(a_user).get("/api/v1/notification-deliveries/?status=nonsense").status_code == 400


@pytest.mark.parametrize(
    "name", ["/notifications/deliveries/", "/api/v1/notification-deliveries/", "/notifications/channels/", URL]
)
def test_constant_queries(client, city, name):
    admin = city.user(Role.CENTER_ADMIN)
    login(client, admin)

    def grow(n):
        for i in range(n):
            _delivery(admin, city.center.path, f"t{i}")
            Robot.objects.create(
                name=f"r{i}", platform="wecom", organization=city.dept_a, webhook_url=HOOK, kinds=["x"]
            )

    grow(2)
    count(client, name)
    small = count(client, name)
    grow(30)
    large = count(client, name)
    assert small == large <= LIMIT, (small, large)


def test_preferences_api_sets_sms_and_refuses_turning_off_a_mandate(city):
    head = city.user(Role.DEPARTMENT_HEAD)
    client = api_for(head)
    url = "/api/v1/notification-preferences/"
    response = client.post(url, {"kind": "incidents.update", "sms": True}, format="json")
    assert response.status_code == 200 and response.json()["sms"] is True and response.json()["email"] is None
    major = next(r for r in client.get(url).json() if r["kind"] == "incidents.major")
    assert major["sms_default"] is True and major["sms_mandatory"] is False
    services.channel_mandates_set(actor=city.user(Role.CENTER_ADMIN), mandates=[("incidents.major", Channel.SMS)])
    response = client.post(url, {"kind": "incidents.major", "sms": False}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    assert not NotificationPreference.objects.filter(kind="incidents.major").exists()


def test_the_security_officer_sees_the_departments_robot_but_cannot_change_it(client, city):
    robot = Robot.objects.create(
        name="甲局群", platform="wecom", organization=city.dept_a, webhook_url=HOOK, kinds=["x"]
    )
    login(client, city.user(Role.DEPARTMENT_SECURITY_OFFICER))
    html = client.get("/notifications/channels/").content.decode()
    assert "甲局群" in html and f"/notifications/robots/{robot.pk}/edit/" not in html
    assert client.get(f"/notifications/robots/{robot.pk}/edit/").status_code == 404
    login(client, city.user(Role.DEPARTMENT_HEAD))
    assert f"/notifications/robots/{robot.pk}/edit/" in client.get("/notifications/channels/").content.decode()
