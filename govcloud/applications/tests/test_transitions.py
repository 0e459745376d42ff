"""Every transition of the application lifecycle, allowed and forbidden, for every role (Art. 8):
the table below is written out independently of the model's declarations, so a wrong declaration
fails here."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.applications import services
from govcloud.applications.models import ApplicationEvent, ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import advance, host_row, in_service_resource, new_application
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db

S = ApplicationState
ROLES = ["applicant", "head", "security", "reviewer", "admin", "provider", "finance", "b_applicant", "b_head"]
# Roles outside department A's scope: they get 404 exactly like a missing application.
OUT_OF_SCOPE = {"finance", "b_applicant", "b_head"}

# transition: (state it is tried from, application kind, roles allowed)
TABLE = {
    "submit": (S.DRAFT, ApplicationKind.NEW, {"applicant", "head"}),
    "sign_off": (S.AWAITING_SIGNOFF, ApplicationKind.NEW, {"head"}),
    "send_back": (S.AWAITING_SIGNOFF, ApplicationKind.NEW, {"head"}),
    "accept": (S.SUBMITTED, ApplicationKind.NEW, {"reviewer", "admin"}),
    "return_for_correction": (S.SUBMITTED, ApplicationKind.NEW, {"reviewer", "admin"}),
    "approve": (S.ACCEPTED, ApplicationKind.NEW, {"admin"}),
    "reject": (S.ACCEPTED, ApplicationKind.NEW, {"admin"}),
    "report_defects": (S.DELIVERED, ApplicationKind.NEW, {"applicant", "head"}),
    "accept_delivery": (S.DELIVERED, ApplicationKind.NEW, {"applicant", "head"}),
    "confirm_change": (S.DELIVERED, ApplicationKind.CHANGE, {"applicant", "head"}),
    "cancel": (S.DRAFT, ApplicationKind.NEW, {"applicant", "head"}),
    # Only the platform (the delivery signal) moves these.
    "mark_delivered": (S.IN_DELIVERY, ApplicationKind.NEW, set()),
    "complete_termination": (S.IN_DELIVERY, ApplicationKind.TERMINATION, set()),
}
TARGETS = {
    "submit": S.AWAITING_SIGNOFF,
    "sign_off": S.SUBMITTED,
    "send_back": S.DRAFT,
    "accept": S.ACCEPTED,
    "return_for_correction": S.RETURNED,
    "approve": S.IN_DELIVERY,
    "reject": S.REJECTED,
    "report_defects": S.TEST_FAILED,
    "accept_delivery": S.IN_SERVICE,
    "confirm_change": S.COMPLETED,
    "cancel": S.CANCELLED,
}


def call(name: str, actor, application):
    text = "测试意见"
    if name == "approve":
        return services.application_approve(actor=actor, application=application, comment=text)
    if name == "mark_delivered":
        return (
            services.application_mark_delivered(application=application)
            if actor is SYSTEM
            else (services.workflow._transition(actor=actor, application=application, action=name))
        )
    if name == "complete_termination":
        return services.workflow._transition(actor=actor, application=application, action=name)
    return services.run_step(actor=actor, application=application, action=name, text=text)


def build(wf, state: str, kind: str):
    if kind == ApplicationKind.NEW:
        app = new_application(wf)
    else:
        resource = in_service_resource(wf)
        if kind == ApplicationKind.CHANGE:
            rows = [services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
            app = new_application(wf, kind=kind, rows=rows)
        else:
            from datetime import date

            rows = [services.ItemInput(target_resource=resource)]
            app = new_application(
                wf, kind=kind, rows=rows, termination_mode="destruction", termination_date=date.today()
            )
    return advance(wf, app, state)


CASES = [(name, role) for name in TABLE for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_who_may_take_each_step(wf, name, role):
    state, kind, allowed = TABLE[name]
    app = build(wf, state, kind)
    actor = wf.people()[role]
    audits = AuditEvent.objects.filter(action=f"application.{name}", object_id=str(app.pk)).count()
    if role in allowed:
        notes_before = Notification.objects.count()
        result = call(name, actor, app)
        assert result.state == TARGETS[name]
        assert AuditEvent.objects.filter(action=f"application.{name}", object_id=str(app.pk)).count() == audits + 1
        entry = ApplicationEvent.objects.filter(application=app, action=name).latest("pk")
        assert entry.actor_id == actor.pk and entry.from_state == state and entry.to_state == TARGETS[name]
        if name not in ("cancel",):
            assert entry.comment == "测试意见"
        assert Notification.objects.count() > notes_before, "whoever acts next is notified"
        return
    expected = Http404 if role in OUT_OF_SCOPE else PermissionDenied
    with pytest.raises(expected):
        call(name, actor, app)
    app.refresh_from_db()
    assert app.state == state
    assert AuditEvent.objects.filter(action=f"application.{name}", object_id=str(app.pk)).count() == audits


ALLOWED_ACTOR = {
    "submit": "applicant",
    "sign_off": "head",
    "send_back": "head",
    "accept": "reviewer",
    "return_for_correction": "reviewer",
    "approve": "admin",
    "reject": "admin",
    "report_defects": "applicant",
    "accept_delivery": "applicant",
    "confirm_change": "applicant",
    "cancel": "applicant",
}
# Where each step may start (the declared sources).
SOURCES = {
    "submit": {S.DRAFT, S.RETURNED},
    "sign_off": {S.AWAITING_SIGNOFF},
    "send_back": {S.AWAITING_SIGNOFF},
    "accept": {S.SUBMITTED},
    "return_for_correction": {S.SUBMITTED, S.ACCEPTED},
    "approve": {S.ACCEPTED},
    "reject": {S.ACCEPTED},
    "report_defects": {S.DELIVERED},
    "accept_delivery": {S.DELIVERED},
    "confirm_change": set(),  # a new-resources application is never confirmed as a change
    "cancel": {S.DRAFT, S.AWAITING_SIGNOFF, S.SUBMITTED, S.RETURNED, S.ACCEPTED},
}
STATES = [
    S.DRAFT,
    S.AWAITING_SIGNOFF,
    S.SUBMITTED,
    S.RETURNED,
    S.ACCEPTED,
    S.REJECTED,
    S.IN_DELIVERY,
    S.DELIVERED,
    S.TEST_FAILED,
    S.IN_SERVICE,
    S.CANCELLED,
]


@pytest.mark.parametrize("state", STATES)
def test_no_step_outside_its_states(wf, state):
    """From each state, every step not declared from it is refused with a reason, and nothing
    changes."""
    app = build(wf, state, ApplicationKind.NEW)
    people = wf.people()
    for name, actor_key in ALLOWED_ACTOR.items():
        if state in SOURCES[name]:
            continue
        with pytest.raises(ValidationError):
            call(name, people[actor_key], app)
        app.refresh_from_db()
        assert app.state == state, name


def test_the_declared_table_matches(wf):
    """The model's declarations say the same as this test's table."""
    for name, (_state, _kind, allowed) in TABLE.items():
        info = services.TRANSITIONS[name]
        roles = {"applicant": "department_applicant", "head": "department_head"}
        roles.update(reviewer="center_reviewer", admin="center_admin")
        assert {str(r) for r in info.roles} == {roles[r] for r in allowed}, name
    for name, sources in SOURCES.items():
        if sources:
            assert set(services.TRANSITIONS[name].sources) == sources, name


def test_the_platform_moves_only_finished_work(wf):
    app = build(wf, S.IN_DELIVERY, ApplicationKind.NEW)
    with pytest.raises(ValidationError, match="Not every work order"):
        services.application_mark_delivered(application=app)
    with pytest.raises(ValidationError):
        services.application_complete_termination(application=app)


def test_a_unit_application_is_signed_by_the_department_head_above(wf):
    from govcloud.applications.tests.helpers import system_for
    from govcloud.core.roles import Role

    unit_applicant = wf.city.user(Role.DEPARTMENT_APPLICANT, org=wf.city.unit_a)
    unit_system = system_for(wf.city.unit_a, name="下属单位系统")
    app = new_application(wf, actor=unit_applicant, system=unit_system, rows=[host_row(1)])
    services.application_submit(actor=unit_applicant, application=app)
    app = services.application_sign_off(actor=wf.head, application=app)
    assert app.state == S.SUBMITTED
    # ...but a unit's head does not sign the department's own applications.
    unit_head = wf.city.user(Role.DEPARTMENT_HEAD, org=wf.city.unit_a)
    other = new_application(wf)
    services.application_submit(actor=wf.applicant, application=other)
    with pytest.raises(Http404):
        services.application_sign_off(actor=unit_head, application=other)
