"""Every systems action is one labelled audit event; and the isolation harness's lists can fail:
department A's own users do see A's marker on the lists B's users are probed on."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import login
from govcloud.audit.actions import ACTION_LABELS
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import AttachmentKind
from govcloud.systems.services.sweeps import exemptions_expire_sweep
from govcloud.systems.tests.helpers import experts, register, upload
from tests.isolation import MARKER
from tests.test_isolation import World, _body

pytestmark = pytest.mark.django_db


def _events_of(call) -> list[str]:
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    call()
    return list(AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))


def test_every_action_writes_one_labelled_audit_event(city, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    actor = city.user(Role.DEPARTMENT_APPLICANT)
    center = city.user(Role.CENTER_ADMIN)
    leader = city.user(Role.LEADING_GROUP)
    panel = experts(city)
    system = register(city.dept_a, actor=actor)
    state = {}

    def step(name, call):
        actions = _events_of(call)
        assert actions == [name], (name, actions)
        assert name in ACTION_LABELS, name

    step("system.update", lambda: services.system_update(actor=actor, system=system, purpose="新"))
    step("system.retire", lambda: services.system_set_active(actor=actor, system=system, active=False))
    step("system.reactivate", lambda: services.system_set_active(actor=actor, system=system, active=True))

    def filing():
        state["filing"] = services.filing_record(
            actor=actor, system=system, filing_number="N", filed_on=date(2026, 1, 1), filing_authority="x"
        )

    step("mlps_filing.record", filing)

    def assessment():
        state["assessment"] = services.assessment_record(
            actor=actor, system=system, assessing_body="x", assessed_on=date(2026, 1, 2), score=80, conclusion="pass"
        )

    step("mlps_assessment.record", assessment)

    def rectification():
        state["item"] = services.rectification_create(
            actor=actor, system=system, description="x", owner="y", due_on=date(2026, 4, 1)
        )

    step("rectification.create", rectification)
    step(
        "rectification.update",
        lambda: services.rectification_update(actor=actor, rectification=state["item"], owner="z"),
    )
    step(
        "rectification.close",
        lambda: services.rectification_close(actor=actor, rectification=state["item"], closing_note="done"),
    )

    def attach():
        state["attachment"] = services.attachment_add(
            actor=actor, system=system, kind=AttachmentKind.FILING_CERTIFICATE, upload=upload(), filing=state["filing"]
        )

    step("system_attachment.upload", attach)
    step("system_attachment.download", lambda: services.attachment_open(actor=actor, attachment=state["attachment"]))

    def export():
        with django_capture_on_commit_callbacks(execute=True):
            services.systems_export_start(actor=actor, filters={})

    step("system.export", export)

    def create():
        state["exemption"] = services.exemption_create(
            actor=actor, system=system, reasons="依赖专用硬件，无法迁移到平台"
        )

    step("exemption.create", create)
    exemption = lambda: state["exemption"]  # noqa: E731
    step(
        "exemption.update",
        lambda: services.exemption_update(actor=actor, exemption=exemption(), reasons="理由更新为依赖公安视频专网"),
    )
    step("exemption.submit", lambda: services.exemption_submit(actor=actor, exemption=exemption()))
    step("exemption.return", lambda: services.exemption_return(actor=center, exemption=exemption(), comment="补充"))
    services.exemption_submit(actor=actor, exemption=exemption())
    step(
        "exemption.assign_experts",
        lambda: services.exemption_assign_experts(actor=center, exemption=exemption(), experts=panel),
    )
    for expert in panel:
        step(
            "exemption.vote",
            lambda e=expert: services.exemption_vote(actor=e, exemption=exemption(), vote="approve", opinion="同意"),
        )
    step("exemption.forward", lambda: services.exemption_forward(actor=center, exemption=exemption()))
    step("exemption.approve", lambda: services.exemption_decide(actor=leader, exemption=exemption(), approve=True))
    time_machine.move_to("2027-03-05 10:00:00+08:00", tick=False)
    step("exemption.expire", exemptions_expire_sweep)
    create()
    step("exemption.withdraw", lambda: services.exemption_withdraw(actor=actor, exemption=exemption()))
    create()
    services.exemption_submit(actor=actor, exemption=exemption())
    services.exemption_assign_experts(actor=center, exemption=exemption(), experts=panel)
    for expert in panel:
        services.exemption_vote(actor=expert, exemption=exemption(), vote="reject", opinion="不同意")
    services.exemption_forward(actor=center, exemption=exemption())
    step(
        "exemption.reject",
        lambda: services.exemption_decide(actor=leader, exemption=exemption(), approve=False, comment="不同意"),
    )
    assert "system.create" in ACTION_LABELS and "exemption.supersede" in ACTION_LABELS


def test_classified_create_is_audited_with_name_and_flag_only(city):
    actions = _events_of(
        lambda: services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密系统", classified=True)
    )
    assert actions == ["system.create"]
    event = AuditEvent.objects.get(action="system.create")
    assert '"classified":[null,true]' in event.changes and '"purpose":' in event.changes


LISTS = [
    ("systems:system_list", "a_user"),
    ("systems:migration_dashboard", "a_user"),
    ("systems:exemption_list", "a_user"),
    ("information-system-list", "a_user"),
    ("information-system-migration-stats", "a_security"),
    ("mlps-filing-list", "a_user"),
    ("mlps-assessment-list", "a_user"),
    ("mlps-rectification-list", "a_user"),
    ("system-attachment-list", "a_user"),
    ("exemption-list", "a_security"),
]


@pytest.mark.parametrize("name, owner", LISTS)
def test_positive_controls_for_the_lists(client, city, name, owner):
    world = World(city)
    login(client, getattr(world, owner))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert MARKER in _body(response)
    # And the center sees A's systems too, B's users (the harness) do not.
    login(client, city.user(Role.CENTER_REVIEWER))
    assert MARKER in _body(client.get(reverse(name)))
