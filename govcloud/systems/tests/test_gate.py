"""The go-live gate (Art. 11): each blocking reason on its own, and a compliant system cleared."""

from __future__ import annotations

from datetime import date

import pytest

from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, PolicyValue
from govcloud.systems import services
from govcloud.systems.gate import clearance_of, system_go_live_clearance
from govcloud.systems.models import InformationSystem
from govcloud.systems.selectors import Compliance, compliance_q, with_compliance
from govcloud.systems.tests.helpers import make_compliant, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    return time_machine


@pytest.fixture
def compliant(city, june):
    """Level 3, filed 2026-01-10, assessed (pass) 2026-02-01: next assessment due 2027-02-01."""
    system = register(city.dept_a, protection_level=3)
    make_compliant(system, filed_on=date(2026, 1, 10), assessed_on=date(2026, 2, 1))
    return system


def verdict(system):
    return system_go_live_clearance(system=system)


def test_a_fully_compliant_system_is_cleared(compliant):
    result = verdict(compliant)
    assert result.cleared and result.reasons == []
    assert result.checked_on == date(2026, 6, 1)


def test_missing_filing_blocks_with_its_reason(city, june):
    system = register(city.dept_a, protection_level=3)
    services.assessment_record(
        actor=SYSTEM, system=system, assessing_body="江苏省信息安全测评中心", assessed_on=date(2026, 2, 1), score=90,
        conclusion="pass",
    )  # fmt: skip
    result = verdict(system)
    assert not result.cleared
    assert result.reasons == [
        "The system has no grading filing number from the public security organ (定级备案, Art. 11)."
    ]


def test_an_assessment_past_its_next_due_date_blocks(compliant, june):
    june.move_to("2027-02-01 12:00:00+08:00", tick=False)
    assert verdict(compliant).cleared, "due on 2027-02-01: still valid that day"
    june.move_to("2027-02-02 09:00:00+08:00", tick=False)
    result = verdict(compliant)
    assert not result.cleared
    assert result.reasons == [
        "The MLPS assessment of 2026-02-01 is out of date: the next assessment was due by 2027-02-01."
    ]


def test_an_open_rectification_past_its_due_date_blocks(compliant, june):
    item = services.rectification_create(
        actor=SYSTEM, system=compliant, description="补齐审计日志", owner="王强", due_on=date(2026, 6, 10)
    )
    june.move_to("2026-06-10 17:00:00+08:00", tick=False)
    assert verdict(compliant).cleared, "not overdue on its due date"
    june.move_to("2026-06-11 09:00:00+08:00", tick=False)
    result = verdict(compliant)
    assert not result.cleared
    assert result.reasons == ["1 rectification item is past its due date (2026-06-10) and still open (整改, Art. 11)."]
    services.rectification_close(actor=SYSTEM, rectification=item, closing_note="已扩容审计存储")
    assert verdict(compliant).cleared


def test_a_failed_latest_assessment_blocks_even_after_an_earlier_pass(compliant):
    services.assessment_record(
        actor=SYSTEM, system=compliant, assessing_body="泰州市网络与信息安全测评中心", assessed_on=date(2026, 5, 20),
        score="61.5", conclusion="fail",
    )  # fmt: skip
    result = verdict(compliant)
    assert result.reasons == [
        "The latest MLPS assessment (2026-05-20, 泰州市网络与信息安全测评中心) failed: rectify the findings and "
        "have the system assessed again."
    ]


def test_no_assessment_at_all_blocks_level_2_and_above(city, june):
    system = register(city.dept_a, protection_level=2)
    make_compliant(system, filed_on=date(2026, 1, 10))
    assert verdict(system).reasons == [
        "A level 2 system needs a passing MLPS assessment (测评, Art. 11); none is recorded."
    ]


def test_regrading_needs_a_new_filing_and_a_new_assessment(compliant):
    services.system_update(actor=SYSTEM, system=compliant, protection_level=4)
    reasons = verdict(compliant).reasons
    assert len(reasons) == 2
    assert "is for level 3, but the system is now level 4" in reasons[0]
    assert "was for level 3; the system is now level 4" in reasons[1]


def test_level_1_needs_grading_and_filing_but_no_assessment(city, june):
    system = register(city.dept_a, protection_level=1)
    assert not verdict(system).cleared
    make_compliant(system, filed_on=date(2026, 3, 1))
    assert verdict(system).cleared
    assessment = system.assessments.first()
    assert assessment is None


def test_an_ungraded_system_is_not_cleared(city, june):
    system = register(city.dept_a, protection_level=None)
    assert verdict(system).reasons == [
        "The system has no protection level: grade it and file the grading first (Art. 11, 16)."
    ]


def test_a_classified_system_is_never_cleared(city, june):
    system = services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密系统", classified=True)
    result = verdict(system)
    assert not result.cleared
    assert result.reasons == [
        "This is a classified (涉密) system: classified systems are not deployed on the platform (Art. 3)."
    ]


def test_a_retired_system_is_not_cleared(compliant):
    services.system_set_active(actor=SYSTEM, system=compliant, active=False)
    assert verdict(compliant).reasons == ["The system is retired."]


def test_reasons_accumulate(city, june):
    system = register(city.dept_a, protection_level=3)
    services.rectification_create(
        actor=SYSTEM, system=system, description="整改", owner="王强", due_on=date(2026, 5, 1)
    )
    assert len(verdict(system).reasons) == 3


def test_the_policy_in_force_sets_the_next_due_date(city, june):
    PolicyValue.objects.create(key=Policy.ASSESSMENT_MONTHS_LEVEL3, value="6")
    from govcloud.core.policy import clear_cache

    clear_cache()
    system = register(city.dept_a, protection_level=3)
    _filing, assessment = make_compliant(system, filed_on=date(2026, 1, 10), assessed_on=date(2026, 1, 31))
    assert assessment.next_due_on == date(2026, 7, 31)


def test_the_registry_filter_agrees_with_the_gate(city, june):
    """`compliance_q` (the list filter, in SQL) and `clearance_of` (the gate, in Python) give the same
    answer for a mix of systems."""
    ok = register(city.dept_a, "合规", protection_level=3)
    make_compliant(ok, filed_on=date(2026, 1, 1), assessed_on=date(2026, 2, 1), number="N1")
    register(city.dept_a, "未备案", protection_level=3)
    level1 = register(city.dept_a, "一级", protection_level=1)
    make_compliant(level1, filed_on=date(2026, 1, 1), number="N2")
    stale = register(city.dept_a, "测评过期", protection_level=2)
    make_compliant(stale, filed_on=date(2023, 1, 1), assessed_on=date(2024, 1, 1), number="N3")
    late = register(city.dept_a, "整改逾期", protection_level=3)
    make_compliant(late, filed_on=date(2026, 1, 1), assessed_on=date(2026, 2, 1), number="N4")
    services.rectification_create(actor=SYSTEM, system=late, description="x", owner="y", due_on=date(2026, 5, 1))
    regraded = register(city.dept_a, "调级", protection_level=2)
    make_compliant(regraded, filed_on=date(2026, 1, 1), assessed_on=date(2026, 2, 1), number="N5")
    services.system_update(actor=SYSTEM, system=regraded, protection_level=3)
    register(city.dept_a, "未定级", protection_level=None)
    services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密", classified=True)

    annotated = list(with_compliance(InformationSystem.objects.all()))
    cleared = {s.pk for s in annotated if clearance_of(s).cleared}
    assert cleared == {ok.pk, level1.pk}
    qs = with_compliance(InformationSystem.objects.all())
    assert set(qs.filter(compliance_q(Compliance.CLEARED)).values_list("pk", flat=True)) == cleared
    assert (
        set(qs.filter(compliance_q(Compliance.NOT_CLEARED)).values_list("pk", flat=True))
        == {s.pk for s in annotated} - cleared
    )
    assert set(qs.filter(compliance_q(Compliance.RECTIFICATION_OVERDUE)).values_list("pk", flat=True)) == {late.pk}
    no_filing = set(qs.filter(compliance_q(Compliance.NO_FILING)).values_list("pk", flat=True))
    assert {s.name for s in annotated if s.pk in no_filing} == {"未备案", "调级"}
    bad_assessment = set(qs.filter(compliance_q(Compliance.ASSESSMENT)).values_list("pk", flat=True))
    assert {s.name for s in annotated if s.pk in bad_assessment} == {"未备案", "测评过期", "调级"}
