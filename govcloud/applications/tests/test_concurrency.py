"""Two people acting on the same application at the same moment give one step: the row lock
(`select_for_update(of=("self",))` on PostgreSQL, the IMMEDIATE write lock on SQLite) makes the
second one see the new state and be refused."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from govcloud.applications import services
from govcloud.applications.models import Application, ApplicationEvent, ApplicationState
from govcloud.applications.tests.helpers import advance, new_application
from govcloud.audit.chain import verify_chain
from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.delivery.models import WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


def race(workers):
    barrier = threading.Barrier(len(workers))
    outcomes: list = [None] * len(workers)

    def run(i, work):
        try:
            barrier.wait()
            # A thread starts with no language active; the messages below are read in English.
            with translation.override("en"):
                outcomes[i] = work()
        except Exception as exc:  # collected and checked below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_center_admins_approving_at_once_give_one_approval(wf):
    second_admin = wf.city.user(Role.CENTER_ADMIN, full_name="副主任")
    app = advance(wf, new_application(wf), ApplicationState.ACCEPTED)
    outcomes = race(
        [
            lambda: services.application_approve(actor=wf.admin, application=app, comment="同意"),
            lambda: services.application_approve(actor=second_admin, application=app, comment="同意"),
        ]
    )
    approvals = [o for o in outcomes if isinstance(o, Application)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(approvals) == 1 and len(refusals) == 1, outcomes
    assert "not possible" in refusals[0].messages[0]
    assert Application.objects.get(pk=app.pk).state == ApplicationState.IN_DELIVERY
    assert WorkOrder.objects.filter(application=app).count() == 1
    assert ApplicationEvent.objects.filter(application=app, action="approve").count() == 1
    assert AuditEvent.objects.filter(action="application.approve", object_id=str(app.pk)).count() == 1
    assert verify_chain().ok


def test_two_reviewers_accepting_at_once_give_one_acceptance(wf):
    second = wf.city.user(Role.CENTER_REVIEWER, full_name="审核员二")
    app = advance(wf, new_application(wf), ApplicationState.SUBMITTED)
    outcomes = race(
        [
            lambda: services.application_accept(actor=wf.reviewer, application=app),
            lambda: services.application_accept(actor=second, application=app),
        ]
    )
    assert sum(isinstance(o, Application) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    assert ApplicationEvent.objects.filter(application=app, action="accept").count() == 1
