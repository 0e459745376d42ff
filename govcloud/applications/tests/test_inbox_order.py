"""The inbox's order is stored on the row (Application.inbox_due_at, issue 16): the clock each row
shows — the acceptance's while submitted, then the decision's — so an index serves it whichever
policy started the clocks, and every step that moves a clock moves it too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse

from conftest import login
from govcloud.applications import services
from govcloud.applications.models import Application, ApplicationState
from govcloud.applications.selectors import InboxTab, inbox_for
from govcloud.applications.tests.helpers import advance, new_application
from govcloud.core.policy import Policy, clear_cache

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = ApplicationState


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def set_policy(client, wf, values: dict) -> None:
    login(client, wf.admin)
    for key, value in values.items():
        response = client.post(reverse("policies:policy_update"), {"key": key.value, "value": value})
        assert response.status_code == 302
    clear_cache()


def stored(app: Application):
    return Application.objects.values_list("inbox_due_at", flat=True).get(pk=app.pk)


def test_decision_from_acceptance_puts_a_nearer_acceptance_before_a_later_decision(client, wf):
    # The decision limit counts from the acceptance: a submitted application has no decision due
    # time yet. Ordered by the decision's due time it went to the bottom of the inbox, below an
    # accepted one due days later.
    set_policy(client, wf, {Policy.DECISION_FROM_ACCEPTANCE: "1", Policy.APPROVAL_WORKING_DAYS: "5"})
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):  # Monday
        accepted = advance(wf, new_application(wf), S.SUBMITTED)
        accepted = services.application_accept(actor=wf.reviewer, application=accepted)
    with time_machine.travel(at(2026, 11, 17, 10, 0), tick=False):  # acceptance due Wed 11-18
        submitted = advance(wf, new_application(wf), S.SUBMITTED)
    assert submitted.decision_due_at is None
    assert accepted.decision_due_at == at(2026, 11, 23, 17, 30)
    assert stored(submitted) == submitted.acceptance_due_at == at(2026, 11, 18, 17, 30)
    assert stored(accepted) == accepted.decision_due_at
    assert [a.pk for a in inbox_for(user=wf.reviewer)] == [submitted.pk, accepted.pk]
    assert [a.pk for a in inbox_for(user=wf.reviewer, tab=InboxTab.DECIDE)] == [accepted.pk]


def test_the_inbox_puts_the_nearest_acceptance_first(client, wf):
    set_policy(client, wf, {Policy.ACCEPTANCE_WORKING_DAYS: "5"})
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):  # Monday: acceptance due Mon 11-23
        later_one = advance(wf, new_application(wf), S.SUBMITTED)
    set_policy(client, wf, {Policy.ACCEPTANCE_WORKING_DAYS: "1"})
    with time_machine.travel(at(2026, 11, 17, 10, 0), tick=False):  # acceptance due Wed 11-18
        sooner = advance(wf, new_application(wf), S.SUBMITTED)
    assert [a.pk for a in inbox_for(user=wf.reviewer)][:2] == [sooner.pk, later_one.pk]


def test_each_step_moves_the_stored_due_time_with_the_clock_shown(client, wf):
    set_policy(client, wf, {Policy.DECISION_FROM_ACCEPTANCE: "1"})
    app = new_application(wf)
    assert stored(app) is None  # a draft is not the center's
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        app = advance(wf, app, S.SUBMITTED)
    assert stored(app) == app.acceptance_due_at is not None
    with time_machine.travel(at(2026, 11, 24, 9, 0), tick=False):
        app = services.application_accept(actor=wf.reviewer, application=app)
    assert stored(app) == app.decision_due_at == at(2026, 11, 26, 17, 30)
    app = services.application_return(actor=wf.reviewer, application=app, reasons="补充材料")
    assert stored(app) is None
    other = advance(wf, new_application(wf), S.ACCEPTED)
    assert stored(other) == other.decision_due_at is not None
    other = advance(wf, other, S.IN_DELIVERY)
    assert stored(other) is None
    cancelled = advance(wf, new_application(wf), S.SUBMITTED)
    cancelled = services.application_cancel(actor=wf.applicant, application=cancelled)
    assert stored(cancelled) is None


def test_the_migration_backfills_the_clock_shown(wf):
    import importlib

    backfill = importlib.import_module("govcloud.applications.migrations.0007_inbox_due").backfill
    submitted = advance(wf, new_application(wf), S.SUBMITTED)
    accepted = advance(wf, new_application(wf), S.ACCEPTED)
    delivering = advance(wf, new_application(wf), S.IN_DELIVERY)
    Application.objects.update(inbox_due_at=None)  # as before the column existed
    backfill(django_apps, None)
    assert stored(submitted) == submitted.acceptance_due_at is not None
    assert stored(accepted) == accepted.decision_due_at is not None
    assert stored(delivering) is None
