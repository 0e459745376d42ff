from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import login
from govcloud.core.roles import Role
from govcloud.notifications import services
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_notify_roles_reaches_the_organization_and_its_units_only(city):
    head_a = city.user(Role.DEPARTMENT_HEAD)
    head_unit = city.user(Role.DEPARTMENT_HEAD, org=city.unit_a)
    head_b = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
    sent = services.notify_roles(roles={Role.DEPARTMENT_HEAD}, organization=city.dept_a, kind="t", title="x")
    assert sent == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {head_a.pk, head_unit.pk}
    assert head_b.pk not in Notification.objects.values_list("recipient_id", flat=True)


def test_dedupe_key_sends_a_repeated_warning_once(city):
    admin = city.user(Role.CENTER_ADMIN)
    for _ in range(3):
        services.notify(recipients=[admin], kind="t", title="no bulletin", dedupe_key="bulletin:2026-10")
    assert Notification.objects.filter(recipient=admin).count() == 1


def test_reading(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    services.notify(recipients=[user], kind="t", title="one", link="/workdays/")
    services.notify(recipients=[user], kind="t", title="two")
    login(client, user)
    assert "2" in client.get(reverse("notifications:notification_badge")).content.decode()
    first = Notification.objects.get(title="one")
    response = client.post(reverse("notifications:notification_open", kwargs={"pk": first.pk}))
    assert response["Location"] == "/workdays/"
    client.post(reverse("notifications:notification_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_an_external_link_is_not_followed(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    services.notify(recipients=[user], kind="t", title="x", link="https://evil.example/")
    login(client, user)
    note = Notification.objects.get()
    response = client.post(reverse("notifications:notification_open", kwargs={"pk": note.pk}))
    assert response["Location"] == reverse("notifications:notification_list")


def test_the_bell_polling_does_not_keep_an_idle_session_alive(client, city, time_machine):
    time_machine.move_to("2026-11-26 09:00:00+08:00", tick=False)
    user = city.user(Role.DEPARTMENT_APPLICANT)
    login(client, user)
    client.get("/")
    for _ in range(40):  # 40 minutes of the bell polling every minute, nobody at the keyboard
        time_machine.shift(timedelta(minutes=1))
        client.get(reverse("notifications:notification_badge"), HTTP_X_GOVCLOUD_BACKGROUND="1")
    assert client.get("/").status_code == 302
