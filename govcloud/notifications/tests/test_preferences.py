"""My notification settings: the page, the API, the audit trail, constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.notifications import selectors, services
from govcloud.notifications.models import Notification, NotificationPreference, Severity
from tests.test_api import api_for
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

URL = "/api/v1/notification-preferences/"


def test_the_page_lists_the_kinds_for_my_roles_and_those_i_received(client, city):
    head = city.user(Role.DEPARTMENT_HEAD, email="head@example.gov.cn")
    services.notify(recipients=[head], kind="applications.accepted", title="t")
    login(client, head)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert 'data-testid="preference-security.bulletin_published"' in html  # registered for heads
    assert 'data-testid="preference-applications.accepted"' in html  # received, not registered
    assert 'data-testid="preference-security.port_open"' not in html  # the provider's
    assert 'data-testid="no-email-address"' not in html


def test_the_page_warns_without_an_address(client, city):
    login(client, city.user(Role.DEPARTMENT_APPLICANT, email=""))
    assert 'data-testid="no-email-address"' in client.get(reverse("notifications:preferences")).content.decode()


def test_saving_the_page_stores_choices_and_audits_once(client, city):
    head = city.user(Role.DEPARTMENT_HEAD, email="head@example.gov.cn")
    login(client, head)
    response = client.post(
        reverse("notifications:preferences"),
        {"kind:security.bulletin_published": "on", "kind:security.session_flagged": "off", "kind:unlisted": "on"},
    )
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=head).values_list("kind", "email")) == {
        "security.bulletin_published": True,
        "security.session_flagged": False,
    }
    event = AuditEvent.objects.get(action="notification_preference.update")
    assert event.actor_id == head.pk and "security.session_flagged" in event.changes
    # Saving the same again changes nothing and records nothing.
    client.post(
        reverse("notifications:preferences"),
        {"kind:security.bulletin_published": "on", "kind:security.session_flagged": "off"},
    )
    assert AuditEvent.objects.filter(action="notification_preference.update").count() == 1
    # Back to the default removes the choice.
    client.post(reverse("notifications:preferences"), {"kind:security.session_flagged": ""})
    assert not NotificationPreference.objects.filter(user=head, kind="security.session_flagged").exists()


def test_a_bad_value_changes_nothing(client, city):
    head = city.user(Role.DEPARTMENT_HEAD)
    login(client, head)
    response = client.post(reverse("notifications:preferences"), {"kind:security.session_flagged": "maybe"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_system_has_no_settings():
    from django.core.exceptions import PermissionDenied

    from govcloud.core.actors import SYSTEM

    with pytest.raises(PermissionDenied):
        services.notification_preferences_set(actor=SYSTEM, choices={"x": True})


def test_rows_describe_the_default(city):
    user = city.user(Role.CENTER_ADMIN)
    services.notify(recipients=[user], kind="unknown.kind", title="t", severity=Severity.WARNING)
    rows = {r.kind: r for r in selectors.preference_rows(user=user)}
    assert rows["security.session_flagged"].default == "on"
    assert rows["security.bulletin_published"].default == "off"
    assert rows["security.port_requested"].default == "severity"
    assert rows["unknown.kind"].default == "severity" and rows["unknown.kind"].label == "unknown.kind"


# --- API -----------------------------------------------------------------------------------------


def test_api_lists_and_sets_my_choices(city):
    head = city.user(Role.DEPARTMENT_HEAD)
    client = api_for(head)
    listed = client.get(URL)
    assert listed.status_code == 200
    row = next(r for r in listed.json() if r["kind"] == "security.bulletin_published")
    assert row == {
        "kind": "security.bulletin_published",
        "label": row["label"],
        "group": "security",
        "default": "off",
        "email": None,
        "sms": None,
        "sms_default": False,
        "email_mandatory": False,
        "sms_mandatory": False,
    }
    response = client.post(URL, {"kind": "security.bulletin_published", "email": True}, format="json")
    assert response.status_code == 200 and response.json()["email"] is True
    assert NotificationPreference.objects.get(user=head).email is True
    response = client.post(URL, {"kind": "security.bulletin_published", "email": None}, format="json")
    assert response.status_code == 200 and response.json()["email"] is None
    assert not NotificationPreference.objects.exists()


def test_api_refuses_kinds_i_do_not_receive(city):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    client = api_for(applicant)
    response = client.post(URL, {"kind": "security.port_open", "email": True}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    assert client.post(URL, {"kind": "", "email": True}, format="json").status_code == 400
    assert client.post(URL, {"kind": "security.port_open"}, format="json").status_code == 400
    assert not NotificationPreference.objects.exists()


def test_api_never_shows_anothers_choices(city):
    a = city.user(Role.DEPARTMENT_APPLICANT)
    b = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b)
    NotificationPreference.objects.create(user=a, kind="secret.kind", email=True)
    Notification.objects.create(recipient=a, kind="other.secret", title="x")
    kinds = {r["kind"] for r in api_for(b).get(URL).json()}
    assert "secret.kind" not in kinds and "other.secret" not in kinds
    assert "secret.kind" in {r["kind"] for r in api_for(a).get(URL).json()}


def test_api_anonymous_is_refused():
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().post(URL, {"kind": "x", "email": True}, format="json").status_code in (401, 403)


# --- Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["notifications:preferences", "notification-preference-list"])
def test_constant_queries(client, city, name):
    user = city.user(Role.CENTER_ADMIN)
    login(client, user)
    url = reverse(name)

    def grow(n, start):
        for i in range(start, start + n):
            services.notify(recipients=[user], kind=f"grow.kind{i}", title="t", severity=Severity.WARNING)
            NotificationPreference.objects.create(user=user, kind=f"grow.pref{i}", email=bool(i % 2))

    grow(3, 0)
    count(client, url)
    small = count(client, url)
    grow(40, 100)
    large = count(client, url)
    assert small == large <= LIMIT, (small, large)
