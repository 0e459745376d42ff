"""Expiry (到期回收): warnings on the right days before an item's needed-until date, the termination
drafted by the platform on the day for the department to confirm, the grace period, the escalation
to the center; confirming and extending; test-environment resources by their test period."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login
from govcloud.applications.models import Application, ApplicationKind, ApplicationState, Environment
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.notifications.models import Notification
from govcloud.waste.expiry import NOTIFY_KIND, expiry_extend, expiry_sweep
from govcloud.waste.models import Expiry, ExpiryState
from govcloud.waste.tests.helpers import TZ, host_from_application

pytestmark = pytest.mark.django_db

NEEDED_UNTIL = date(2027, 1, 10)


def on(frozen, day: date) -> None:
    frozen.move_to(datetime(day.year, day.month, day.day, 7, 30, tzinfo=TZ))


def warnings_to(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, kind=NOTIFY_KIND).values_list("title", flat=True))


def test_warnings_then_a_drafted_termination_then_grace_then_escalation(w, frozen):
    host = host_from_application(w.city.dept_a, w.a_user, needed_until=NEEDED_UNTIL)
    expiry_sweep()  # 36 days before: nothing yet
    assert not Expiry.objects.exists()

    on(frozen, date(2026, 12, 11))  # 30 days before: the first warning
    expiry_sweep()
    expiry = Expiry.objects.get(resource=host)
    assert expiry.state == ExpiryState.UPCOMING and expiry.warned_days == [30]
    assert len(warnings_to(w.a_user)) == 1 and len(warnings_to(w.a_head)) == 1
    on(frozen, date(2026, 12, 20))
    expiry_sweep()
    assert len(warnings_to(w.a_user)) == 1  # no second message for the same warning

    on(frozen, date(2027, 1, 3))  # 7 days before: the second warning
    expiry_sweep()
    expiry.refresh_from_db()
    assert expiry.warned_days == [30, 7] and len(warnings_to(w.a_user)) == 2
    assert not warnings_to(w.b_user)

    on(frozen, date(2027, 1, 9))
    assert expiry_sweep().drafted == []

    on(frozen, NEEDED_UNTIL)  # the day: a termination drafted for the department to confirm
    result = expiry_sweep()
    expiry.refresh_from_db()
    assert result.drafted == [expiry.pk] and expiry.state == ExpiryState.DUE
    termination = expiry.termination_application
    assert termination.kind == ApplicationKind.TERMINATION and termination.state == ApplicationState.DRAFT
    assert termination.created_by == w.a_user
    assert [i.target_resource_id for i in termination.items.all()] == [host.pk]
    assert termination.events.get().actor_id is None  # drafted by the platform
    assert expiry.grace_until == date(2027, 1, 25) and termination.termination_date == date(2027, 1, 25)
    assert len(warnings_to(w.a_user)) == 3
    assert AuditEvent.objects.filter(action="expiry.draft_termination", object_id=str(expiry.pk)).exists()
    expiry_sweep()  # the same day again: nothing more
    assert Application.objects.filter(kind=ApplicationKind.TERMINATION).count() == 1

    on(frozen, date(2027, 1, 25))  # the last day of grace: still the department's
    expiry_sweep()
    expiry.refresh_from_db()
    assert expiry.state == ExpiryState.DUE and not warnings_to(w.center)

    on(frozen, date(2027, 1, 26))  # grace over, nobody confirmed or extended: the center is told
    assert expiry_sweep().escalated == 1
    expiry.refresh_from_db()
    assert expiry.state == ExpiryState.ESCALATED and expiry.escalated_at is not None
    assert len(warnings_to(w.center)) == 1
    expiry_sweep()
    assert len(warnings_to(w.center)) == 1
    # The resource itself is untouched: nothing is reclaimed without an application.
    host.refresh_from_db()
    assert host.state == "in_service"


def test_the_department_confirms_the_drafted_termination(w, frozen, client):
    host_from_application(w.city.dept_a, w.a_user, needed_until=NEEDED_UNTIL)
    on(frozen, NEEDED_UNTIL)
    expiry_sweep()
    expiry = Expiry.objects.get()
    login(client, w.b_user)
    assert client.post(reverse("waste:expiry_confirm", kwargs={"pk": expiry.pk})).status_code == 404
    login(client, w.a_user)
    response = client.post(reverse("waste:expiry_confirm", kwargs={"pk": expiry.pk}))
    expiry.refresh_from_db()
    assert response.status_code == 302
    assert expiry.state == ExpiryState.CONFIRMED
    assert expiry.termination_application.state == ApplicationState.AWAITING_SIGNOFF
    assert AuditEvent.objects.filter(action="expiry.confirm", object_id=str(expiry.pk)).exists()


def test_the_department_extends_the_term(w, frozen):
    host = host_from_application(w.city.dept_a, w.a_user, needed_until=NEEDED_UNTIL)
    on(frozen, NEEDED_UNTIL)
    expiry_sweep()
    expiry = Expiry.objects.get()
    application = expiry_extend(
        actor=w.a_user, expiry=expiry, needed_until=date(2027, 6, 30), reason="二期建设继续使用"
    )
    expiry.refresh_from_db()
    assert expiry.termination_application.state == ApplicationState.CANCELLED
    assert application.kind == ApplicationKind.CHANGE and application.state == ApplicationState.DRAFT
    [item] = application.items.all()
    assert item.target_resource == host and item.needed_until == date(2027, 6, 30)
    on(frozen, date(2027, 1, 30))  # past the grace, but an extension is in progress: no escalation
    expiry_sweep()
    expiry.refresh_from_db()
    assert expiry.state == ExpiryState.DUE
    # The change goes through and completes: the term moved, the record ends as extended.
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.COMPLETED)
    result = expiry_sweep()
    expiry.refresh_from_db()
    assert result.extended == 1 and expiry.state == ExpiryState.EXTENDED
    assert Expiry.objects.filter(state=ExpiryState.UPCOMING).count() == 0  # June is far away


def test_an_extension_must_move_the_date_later(w, frozen):
    from django.core.exceptions import ValidationError

    host_from_application(w.city.dept_a, w.a_user, needed_until=NEEDED_UNTIL)
    on(frozen, date(2027, 1, 3))
    expiry_sweep()
    expiry = Expiry.objects.get()
    with pytest.raises(ValidationError):
        expiry_extend(actor=w.a_user, expiry=expiry, needed_until=date(2027, 1, 5))
    assert not Application.objects.filter(kind=ApplicationKind.CHANGE).exists()


def test_a_test_environment_resource_ends_with_its_test_period(w, frozen):
    from datetime import timedelta

    from django.utils import timezone

    host = host_from_application(
        w.city.dept_a,
        w.a_user,
        environment=Environment.TEST,
        in_service_at=timezone.now() - timedelta(days=85),
    )
    expiry_sweep()
    expiry = Expiry.objects.get(resource=host)
    # 90 days of test period (policy) from going into service: 5 days left, one warning (the latest).
    assert (
        expiry.test_environment
        and expiry.needed_until == (timezone.localtime(host.in_service_at) + timedelta(days=90)).date()
    )
    assert expiry.warned_days == [30, 7] and len(warnings_to(w.a_user)) == 1


def test_a_terminated_resource_closes_its_record(w, frozen):
    from govcloud.ledger import services as ledger_services

    host = host_from_application(w.city.dept_a, w.a_user, needed_until=date(2026, 12, 20))
    expiry_sweep()
    ledger_services.resource_terminate(actor=SYSTEM, resource=host)
    assert expiry_sweep().closed == 1
    assert Expiry.objects.get().state == ExpiryState.CLOSED


def test_pages_and_api_are_scoped(w, frozen, client):
    host_from_application(w.city.dept_a, w.a_user, needed_until=date(2026, 12, 20))
    expiry_sweep()
    expiry = Expiry.objects.get()
    login(client, w.a_user)
    assert client.get(reverse("waste:expiry_list")).content.decode().count('data-testid="expiry-row"') == 1
    assert client.get(reverse("waste:expiry_detail", kwargs={"pk": expiry.pk})).status_code == 200
    login(client, w.center)
    assert client.get(reverse("waste:expiry_list")).content.decode().count('data-testid="expiry-row"') == 1
    login(client, w.b_user)
    assert client.get(reverse("waste:expiry_list")).content.decode().count('data-testid="expiry-row"') == 0
    assert client.get(reverse("waste:expiry_detail", kwargs={"pk": expiry.pk})).status_code == 404
    api = APIClient()
    api.force_authenticate(w.b_user)
    assert api.get(f"/api/v1/waste/expiries/{expiry.pk}/").status_code == 404
    assert api.post(f"/api/v1/waste/expiries/{expiry.pk}/extend/", {"needed_until": "2027-12-31"}).status_code == 404
    api.force_authenticate(w.a_user)
    assert api.get("/api/v1/waste/expiries/").json()["count"] == 1
