"""The migration exemption workflow (Art. 3): expert review by the center AND the leading group's
approval; roles, scope, deadlines, timeline, audit, notifications, expiry and renewal."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, PolicyValue, clear_cache
from govcloud.core.roles import Role
from govcloud.notifications.models import Notification
from govcloud.systems import services
from govcloud.systems.models import (
    ExemptionEvent,
    ExemptionState,
    HostingStatus,
    InformationSystem,
    MigrationExemption,
)
from govcloud.systems.selectors import exemptions_awaiting, exemptions_for
from govcloud.systems.services.exemptions import TRANSITIONS
from govcloud.systems.services.sweeps import exemptions_expire_sweep
from govcloud.systems.tests.helpers import exemption_in_review, experts, register
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


class Cast:
    def __init__(self, city):
        self.city = city
        self.applicant = city.user(Role.DEPARTMENT_APPLICANT, full_name="申请人")
        self.center = city.user(Role.CENTER_ADMIN, full_name="中心管理员")
        self.reviewer = city.user(Role.CENTER_REVIEWER)
        self.experts = experts(city, 3)
        self.leader = city.user(Role.LEADING_GROUP, full_name="领导小组成员")
        self.other_dept = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
        self.system = register(city.dept_a, "网格化管理平台", hosting_status=HostingStatus.OWN_ROOM)

    def draft(self, reasons="依赖专用硬件，迁移成本过高。"):
        return services.exemption_create(actor=self.applicant, system=self.system, reasons=reasons)

    def in_review(self):
        exemption = self.draft()
        services.exemption_submit(actor=self.applicant, exemption=exemption)
        return services.exemption_assign_experts(actor=self.center, exemption=exemption, experts=self.experts)

    def all_vote(self, exemption, votes=("approve", "approve", "approve")):
        for expert, vote in zip(self.experts, votes, strict=True):
            services.exemption_vote(actor=expert, exemption=exemption, vote=vote, opinion=f"{vote} 意见")
        return MigrationExemption.objects.get(pk=exemption.pk)

    def forwarded(self, votes=("approve", "approve", "approve")):
        exemption = self.all_vote(self.in_review(), votes)
        return services.exemption_forward(actor=self.center, exemption=exemption)


@pytest.fixture
def cast(city):
    return Cast(city)


def test_the_transitions_are_declared_once_with_roles():
    assert TRANSITIONS[(ExemptionState.LEADING_GROUP_REVIEW, "approve")].roles == {Role.LEADING_GROUP}
    assert TRANSITIONS[(ExemptionState.SUBMITTED, "assign_experts")].roles == {Role.CENTER_ADMIN}
    assert TRANSITIONS[(ExemptionState.APPROVED, "expire")].roles == frozenset()
    # No path leads to approved except the leading group's decision after the expert review.
    into_approved = [key for key, t in TRANSITIONS.items() if t.to == ExemptionState.APPROVED]
    assert into_approved == [(ExemptionState.LEADING_GROUP_REVIEW, "approve")]


def test_the_whole_workflow(cast, time_machine):
    calendar_seed_from_package(actor=SYSTEM)
    time_machine.move_to(datetime(2026, 9, 28, 10, 0, tzinfo=TZ), tick=False)
    exemption = cast.draft()
    services.exemption_submit(actor=cast.applicant, exemption=exemption, comment="请组织评审")
    exemption = services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=cast.experts)
    # 10 working days from Monday 28 September 2026 skip the National Day holiday (1-7 October) and
    # count Saturday 10 October, an adjusted working day (调休).
    assert exemption.review_due_at.astimezone(TZ) == datetime(2026, 10, 16, 17, 30, tzinfo=TZ)
    assert not exemption.review_due_provisional
    exemption = cast.all_vote(exemption)
    time_machine.move_to(datetime(2026, 10, 20, 9, 0, tzinfo=TZ), tick=False)
    exemption = services.exemption_forward(actor=cast.center, exemption=exemption)
    assert exemption.decision_due_at.astimezone(TZ) == datetime(2026, 11, 3, 17, 30, tzinfo=TZ)
    exemption = services.exemption_decide(actor=cast.leader, exemption=exemption, approve=True, comment="同意")
    assert exemption.state == ExemptionState.APPROVED
    assert (exemption.valid_from, exemption.valid_until) == (date(2026, 10, 20), date(2027, 10, 19))
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.EXEMPTED
    timeline = list(exemption.events.values_list("action", "from_state", "to_state"))
    assert timeline == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("assign_experts", "submitted", "expert_review"),
        ("vote", "expert_review", "expert_review"),
        ("vote", "expert_review", "expert_review"),
        ("vote", "expert_review", "expert_review"),
        ("forward", "expert_review", "leading_group_review"),
        ("approve", "leading_group_review", "approved"),
    ]
    assert ExemptionEvent.objects.filter(action="submit").get().comment == "请组织评审"
    audited = list(
        AuditEvent.objects.filter(action__startswith="exemption.").order_by("seq").values_list("action", flat=True)
    )
    assert audited == [
        "exemption.create",
        "exemption.submit",
        "exemption.assign_experts",
        "exemption.vote",
        "exemption.vote",
        "exemption.vote",
        "exemption.forward",
        "exemption.approve",
    ]
    approve = AuditEvent.objects.get(action="exemption.approve")
    assert '"system.hosting_status":["own_room","exempted"]' in approve.changes
    assert approve.subject_organization_path == cast.city.dept_a.path


def test_who_acts_next_is_notified(cast):
    exemption = cast.draft()
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    assert Notification.objects.filter(recipient=cast.center).count() == 1
    services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=cast.experts)
    assert all(Notification.objects.filter(recipient=e).count() == 1 for e in cast.experts)
    cast.all_vote(exemption)
    assert Notification.objects.filter(recipient=cast.center, title__contains="All experts have voted").exists()
    services.exemption_forward(actor=cast.center, exemption=exemption)
    assert Notification.objects.filter(recipient=cast.leader, title__startswith="Decide").exists()
    services.exemption_decide(actor=cast.leader, exemption=exemption, approve=True)
    assert Notification.objects.filter(recipient=cast.applicant, title__contains="approved").exists()
    assert not Notification.objects.filter(recipient=cast.other_dept).exists()


def test_expert_votes_alone_do_not_approve(cast):
    """Every expert in favor, but no leading-group decision: nothing is exempted."""
    exemption = cast.all_vote(cast.in_review())
    assert exemption.state == ExemptionState.EXPERT_REVIEW
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.OWN_ROOM
    # Neither the center nor the platform can turn the votes into an approval.
    with pytest.raises(PermissionDenied):
        services.exemption_decide(actor=cast.center, exemption=exemption, approve=True)
    with pytest.raises(ValidationError):
        services.exemption_decide(actor=SYSTEM, exemption=exemption, approve=True)
    exemption = services.exemption_forward(actor=cast.center, exemption=exemption)
    assert exemption.state == ExemptionState.LEADING_GROUP_REVIEW
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.OWN_ROOM


def test_the_leading_group_alone_cannot_approve(cast):
    """Without the completed expert review the leading group's approval is refused."""
    exemption = cast.draft()
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    with pytest.raises(Http404):  # not yet before the group: it does not even see it
        services.exemption_decide(actor=cast.leader, exemption=exemption, approve=True)
    services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=cast.experts)
    services.exemption_vote(actor=cast.experts[0], exemption=exemption, vote="approve", opinion="同意")
    with pytest.raises(ValidationError, match="2 of 3 experts have not voted"):
        services.exemption_forward(actor=cast.center, exemption=exemption)
    with pytest.raises(ValidationError):
        services.exemption_decide(actor=SYSTEM, exemption=exemption, approve=True)
    assert MigrationExemption.objects.get(pk=exemption.pk).state == ExemptionState.EXPERT_REVIEW
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.OWN_ROOM


def test_an_unfavorable_review_can_only_be_rejected(cast):
    exemption = cast.forwarded(votes=("approve", "reject", "reject"))
    with pytest.raises(ValidationError, match="1 of 3 in favor"):
        services.exemption_decide(actor=cast.leader, exemption=exemption, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.exemption_decide(actor=cast.leader, exemption=exemption, approve=False)
    assert "comment" in exc.value.message_dict
    exemption = services.exemption_decide(actor=cast.leader, exemption=exemption, approve=False, comment="不同意")
    assert exemption.state == ExemptionState.REJECTED
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.OWN_ROOM


def test_minimum_number_of_experts(cast, city):
    exemption = cast.draft()
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    with pytest.raises(ValidationError, match="at least 3 experts"):
        services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=cast.experts[:2])
    with pytest.raises(ValidationError, match="at least 3 experts"):  # the same expert twice counts once
        services.exemption_assign_experts(
            actor=cast.center, exemption=exemption, experts=[cast.experts[0], cast.experts[0], cast.experts[1]]
        )
    PolicyValue.objects.create(key=Policy.EXPERT_REVIEW_MIN_EXPERTS, value="4")
    clear_cache()
    with pytest.raises(ValidationError, match="at least 4 experts"):
        services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=cast.experts)
    exemption = services.exemption_assign_experts(
        actor=cast.center, exemption=exemption, experts=[*cast.experts, city.user(Role.EXPERT)]
    )
    assert exemption.assignments.count() == 4
    assert MigrationExemption.objects.get(pk=exemption.pk).state == ExemptionState.EXPERT_REVIEW


def test_only_active_experts_outside_the_department_are_assigned(cast, city):
    exemption = cast.draft()
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    not_expert = city.user(Role.CENTER_REVIEWER)
    with pytest.raises(ValidationError, match="not active experts"):
        services.exemption_assign_experts(
            actor=cast.center, exemption=exemption, experts=[*cast.experts[:2], not_expert]
        )
    insider = city.user(Role.EXPERT, org=city.unit_a)
    with pytest.raises(ValidationError, match="belong to the requesting department"):
        services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=[*cast.experts[:2], insider])
    assert not exemption.assignments.exists()


def test_roles_and_scope_of_each_transition(cast, city):
    exemption = cast.draft()
    with pytest.raises(Http404):
        services.exemption_submit(actor=cast.other_dept, exemption=exemption)
    with pytest.raises(PermissionDenied):
        services.exemption_submit(actor=cast.center, exemption=exemption)
    with pytest.raises(Http404):  # an expert sees only what they are assigned to
        services.exemption_submit(actor=cast.experts[0], exemption=exemption)
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    with pytest.raises(PermissionDenied):
        services.exemption_assign_experts(actor=cast.reviewer, exemption=exemption, experts=cast.experts)
    with pytest.raises(PermissionDenied):
        services.exemption_assign_experts(actor=cast.applicant, exemption=exemption, experts=cast.experts)
    services.exemption_assign_experts(actor=cast.center, exemption=exemption, experts=cast.experts)
    outsider = city.user(Role.EXPERT)
    with pytest.raises(Http404):
        services.exemption_vote(actor=outsider, exemption=exemption, vote="approve", opinion="x")
    services.exemption_vote(actor=cast.experts[0], exemption=exemption, vote="reject", opinion="理由不足")
    with pytest.raises(ValidationError, match="already voted"):
        services.exemption_vote(actor=cast.experts[0], exemption=exemption, vote="approve", opinion="改主意")
    with pytest.raises(ValidationError) as exc:
        services.exemption_vote(actor=cast.experts[1], exemption=exemption, vote="approve", opinion=" ")
    assert "opinion" in exc.value.message_dict
    with pytest.raises(ValidationError, match="not possible while the request"):
        services.exemption_submit(actor=cast.applicant, exemption=exemption)
    # Refused attempts changed nothing: the audit trail has the successful transitions only.
    assert AuditEvent.objects.filter(action="exemption.vote").count() == 1


def test_return_for_correction_and_resubmit(cast):
    exemption = cast.draft()
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    with pytest.raises(ValidationError):
        services.exemption_return(actor=cast.center, exemption=exemption, comment="")
    exemption = services.exemption_return(actor=cast.center, exemption=exemption, comment="补充终端改造费用测算")
    assert exemption.state == ExemptionState.DRAFT
    assert Notification.objects.filter(recipient=cast.applicant, title__contains="returned").exists()
    services.exemption_update(
        actor=cast.applicant, exemption=exemption, reasons="补充：改造费用约800万元，本年无预算。"
    )
    services.exemption_submit(actor=cast.applicant, exemption=exemption)
    assert MigrationExemption.objects.get(pk=exemption.pk).state == ExemptionState.SUBMITTED
    with pytest.raises(ValidationError, match="Only a draft"):
        services.exemption_update(actor=cast.applicant, exemption=exemption, reasons="再改一次理由说明文字")


def test_withdraw(cast):
    exemption = cast.in_review()
    exemption = services.exemption_withdraw(actor=cast.applicant, exemption=exemption, comment="已决定迁移")
    assert exemption.state == ExemptionState.WITHDRAWN
    assert all(Notification.objects.filter(recipient=e, title__contains="withdrawn").exists() for e in cast.experts)
    # A new request may follow.
    cast.draft()


def test_one_request_in_progress_per_system_and_eligibility(cast, city):
    cast.draft()
    with pytest.raises(ValidationError, match="already has a request in progress"):
        cast.draft()
    on_platform = register(city.dept_a, "已上云", hosting_status=HostingStatus.ON_PLATFORM)
    with pytest.raises(ValidationError, match="already runs on the platform"):
        services.exemption_create(actor=cast.applicant, system=on_platform, reasons="无需迁移的理由说明")
    with pytest.raises(ValidationError) as exc:
        services.exemption_create(actor=cast.applicant, system=register(city.dept_a, "新系统"), reasons="短")
    assert "reasons" in exc.value.message_dict


def test_expiry_sweep_returns_the_system_and_notifies(cast, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, 0, tzinfo=TZ), tick=False)
    exemption = services.exemption_decide(actor=cast.leader, exemption=cast.forwarded(), approve=True)
    assert exemption.valid_until == date(2027, 3, 9)
    time_machine.move_to(datetime(2027, 3, 9, 23, 0, tzinfo=TZ), tick=False)
    assert exemptions_expire_sweep() == 0
    time_machine.move_to(datetime(2027, 3, 10, 0, 30, tzinfo=TZ), tick=False)
    Notification.objects.all().delete()
    assert exemptions_expire_sweep() == 1
    assert exemptions_expire_sweep() == 0  # a second run changes nothing
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.EXPIRED
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.OWN_ROOM
    assert Notification.objects.filter(recipient=cast.applicant, title__contains="expired").exists()
    assert Notification.objects.filter(recipient=cast.center, title__contains="expired").exists()
    event = AuditEvent.objects.get(action="exemption.expire")
    assert event.actor_username == "system"
    assert exemption.events.last().action == "expire"


def test_a_renewal_is_a_new_request_that_replaces_the_approval(cast, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, 0, tzinfo=TZ), tick=False)
    first = services.exemption_decide(actor=cast.leader, exemption=cast.forwarded(), approve=True)
    time_machine.move_to(datetime(2027, 2, 1, 10, 0, tzinfo=TZ), tick=False)
    renewal = cast.in_review()
    assert renewal.renewal_of_id == first.pk
    cast.all_vote(renewal)
    services.exemption_forward(actor=cast.center, exemption=renewal)
    renewal = services.exemption_decide(actor=cast.leader, exemption=renewal, approve=True)
    first.refresh_from_db()
    assert first.state == ExemptionState.SUPERSEDED and renewal.state == ExemptionState.APPROVED
    assert renewal.valid_until == date(2028, 1, 31)
    time_machine.move_to(datetime(2027, 3, 11, 10, 0, tzinfo=TZ), tick=False)
    assert exemptions_expire_sweep() == 0
    assert InformationSystem.objects.get(pk=cast.system.pk).hosting_status == HostingStatus.EXEMPTED


def test_who_sees_which_requests(cast, city):
    reviewing = cast.in_review()
    other_system = register(city.dept_b, "乙局系统")
    others = services.exemption_create(actor=SYSTEM, system=other_system, reasons="乙局的暂缓迁移理由说明")
    outsider = city.user(Role.EXPERT)
    assert list(exemptions_for(user=cast.experts[0])) == [reviewing]
    assert not exemptions_for(user=outsider).exists()
    assert not exemptions_for(user=cast.leader).exists(), "nothing before the leading group yet"
    assert set(exemptions_for(user=cast.reviewer)) == {reviewing, others}
    assert list(exemptions_for(user=cast.other_dept)) == [others]
    assert list(exemptions_awaiting(user=cast.experts[0])) == [reviewing]
    cast.all_vote(reviewing)
    assert not exemptions_awaiting(user=cast.experts[0]).exists()
    services.exemption_forward(actor=cast.center, exemption=reviewing)
    assert list(exemptions_for(user=cast.leader)) == [reviewing]
    assert list(exemptions_awaiting(user=cast.leader)) == [reviewing]
    # Experts see the systems they review, nothing else.
    assert list(InformationSystem.objects.restrict(cast.experts[0])) == [cast.system]
    assert not InformationSystem.objects.restrict(outsider).exists()


def test_helper_builds_a_review(city):
    system = register(city.dept_a)
    exemption = exemption_in_review(city, system, experts(city))
    assert exemption.state == ExemptionState.EXPERT_REVIEW
