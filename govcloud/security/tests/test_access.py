"""Access grants and access sessions (Art. 18)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy
from govcloud.core.roles import Role
from govcloud.notifications.models import Notification
from govcloud.policies.services import policy_set
from govcloud.security import services
from govcloud.security.models import AccessGrant, AccessSession, FlagReason, GrantEvent, GrantStatus
from govcloud.security.selectors.access import grant_status_q, grants_for, sessions_for
from govcloud.security.tests.helpers import grant, ledger_resource

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)


def record(sec, *, at, minutes=30, actor=None, **kwargs):
    """A session recorded once it has ended, `at` being its start."""
    kwargs.setdefault("system", sec.system_a)
    with time_machine.travel(at + timedelta(minutes=minutes, seconds=1), tick=False):
        return services.access_session_record(
            actor=actor or sec.provider,
            started_at=at,
            ended_at=at + timedelta(minutes=minutes),
            work_done="升级补丁",
            **kwargs,
        )


def flagged_notified(sec, session) -> set:
    return set(
        Notification.objects.filter(kind="security.session_flagged", link__endswith=f"/{session.pk}/").values_list(
            "recipient_id", flat=True
        )
    )


# --- Grants --------------------------------------------------------------------------------------


def test_a_grant_names_the_operator_system_purpose_and_window(sec):
    with time_machine.travel(T0, tick=False):
        given_grant = grant(sec, hours=8)
    assert given_grant.organization == sec.city.dept_a
    assert (given_grant.starts_at, given_grant.ends_at) == (T0, T0 + timedelta(hours=8))
    assert given_grant.granted_by == sec.a_security
    assert AuditEvent.objects.filter(action="access_grant.create", object_id=str(given_grant.pk)).exists()
    assert Notification.objects.filter(recipient=sec.provider, kind="security.grant_created").exists()
    assert GrantEvent.objects.filter(grant=given_grant, kind="granted").exists()


def test_the_window_is_capped_by_the_policy(sec):
    with time_machine.travel(T0, tick=False):
        assert grant(sec, hours=72)
        with pytest.raises(ValidationError, match="at most 72 hours"):
            services.access_grant_create(
                actor=sec.a_head,
                grantee=sec.provider,
                system=sec.system_a,
                purpose="x",
                ends_at=T0 + timedelta(hours=72, minutes=1),
            )
        policy_set(actor=sec.center, key=Policy.ACCESS_GRANT_MAX_HOURS, raw="4")
        with pytest.raises(ValidationError, match="at most 4 hours"):
            grant(sec, hours=5)
        assert grant(sec, hours=4)
    assert AccessGrant.objects.count() == 2


def test_a_grant_cannot_start_in_the_past_or_end_before_it_starts(sec):
    with time_machine.travel(T0, tick=False):
        with pytest.raises(ValidationError, match="past"):
            grant(sec, starts_at=T0 - timedelta(hours=1))
        with pytest.raises(ValidationError, match="end after"):
            services.access_grant_create(
                actor=sec.a_head, grantee=sec.provider, system=sec.system_a, purpose="x", ends_at=T0
            )
        with pytest.raises(ValidationError, match="Name the information system"):
            services.access_grant_create(
                actor=sec.a_head, grantee=sec.provider, purpose="x", ends_at=T0 + timedelta(hours=1)
            )
        db = ledger_resource(sec.city.dept_a, "db-01")
        host = ledger_resource(sec.city.dept_a, "host-02")
        given = grant(sec, resources=[db, db, host])
        assert set(given.resources.all()) == {db, host}


def test_only_the_department_head_or_security_officer_grants_to_named_provider_staff(sec):
    ends = timezone.now() + timedelta(hours=2)
    for actor in (sec.a_applicant, sec.provider, sec.center):
        with pytest.raises(PermissionDenied):
            services.access_grant_create(
                actor=actor, grantee=sec.provider, system=sec.system_a, purpose="x", ends_at=ends
            )
    with pytest.raises(ValidationError, match="provider's staff"):
        services.access_grant_create(
            actor=sec.a_head, grantee=sec.a_applicant, system=sec.system_a, purpose="x", ends_at=ends
        )
    with pytest.raises(Http404):
        services.access_grant_create(
            actor=sec.b_head, grantee=sec.provider, system=sec.system_a, purpose="x", ends_at=ends
        )
    assert not AccessGrant.objects.exists()


def test_revoking_takes_effect_at_once(sec):
    with time_machine.travel(T0, tick=False):
        given_grant = grant(sec, hours=24)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert given_grant.status == GrantStatus.ACTIVE
        with pytest.raises(PermissionDenied):
            services.access_grant_revoke(actor=sec.provider, grant=given_grant)
        with pytest.raises(Http404):
            services.access_grant_revoke(actor=sec.b_head, grant=given_grant)
        revoked = services.access_grant_revoke(actor=sec.a_head, grant=given_grant, reason="任务取消")
        assert revoked.status == GrantStatus.REVOKED
        assert AccessGrant.objects.filter(grant_status_q(GrantStatus.ACTIVE)).count() == 0
        assert Notification.objects.filter(recipient=sec.provider, kind="security.grant_revoked").exists()
        with pytest.raises(ValidationError, match="already been revoked"):
            services.access_grant_revoke(actor=sec.a_head, grant=given_grant)
    session = record(sec, at=T0 + timedelta(hours=1, minutes=5), grant=given_grant)
    assert session.flagged and session.flag_reasons == [FlagReason.REVOKED]
    assert AuditEvent.objects.filter(action="access_grant.revoke", object_id=str(given_grant.pk)).exists()


def test_status_follows_the_window_and_the_sweep_records_the_end_once(sec):
    with time_machine.travel(T0, tick=False):
        scheduled = grant(sec, starts_at=T0 + timedelta(hours=2), hours=4)
        assert scheduled.status == GrantStatus.SCHEDULED
        assert services.access_grants_expire(actor=SYSTEM) == 0
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert scheduled.status == GrantStatus.ACTIVE
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        # Expired at the window's end even before the sweep runs.
        assert scheduled.status == GrantStatus.EXPIRED
        assert AccessGrant.objects.filter(grant_status_q(GrantStatus.EXPIRED)).get() == scheduled
        assert services.access_grants_expire(actor=SYSTEM) == 1
        assert services.access_grants_expire(actor=SYSTEM) == 0
    scheduled.refresh_from_db()
    assert scheduled.expiry_recorded_at is not None
    assert AuditEvent.objects.filter(action="access_grant.expire", object_id=str(scheduled.pk)).count() == 1
    assert GrantEvent.objects.filter(grant=scheduled, kind="expired").count() == 1


def test_the_expiry_task_runs_the_sweep(sec):
    from govcloud.security.tasks import access_grants_expire_task

    with time_machine.travel(T0, tick=False):
        grant(sec, hours=1)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert access_grants_expire_task.call() == 1


# --- Sessions ------------------------------------------------------------------------------------


def test_a_session_within_a_valid_grant_is_not_flagged(sec):
    with time_machine.travel(T0, tick=False):
        given_grant = grant(sec, hours=8)
    session = record(sec, at=T0 + timedelta(hours=1), grant=given_grant)
    assert not session.flagged and session.flag_reasons == []
    assert session.organization == sec.city.dept_a
    assert not Notification.objects.filter(kind="security.session_flagged").exists()
    assert AuditEvent.objects.filter(action="access_session.record", object_id=str(session.pk)).exists()
    # A grant naming ledger resources covers those resources, with or without the system.
    db = ledger_resource(sec.city.dept_a, "db-01")
    with time_machine.travel(T0, tick=False):
        by_resource = grant(sec, resources=[db], hours=8)
    session = record(sec, at=T0 + timedelta(hours=2), grant=by_resource, system=None, resource=db)
    assert not session.flagged and session.organization == sec.city.dept_a


@pytest.mark.parametrize(
    "kind",
    ["no_covering_grant", "revoked", "expired", "not_covered", "other_grantee", "outside_window"],
)
def test_a_session_outside_a_valid_grant_is_flagged_audited_and_notified(sec, kind):
    with time_machine.travel(T0, tick=False):
        given_grant = grant(sec, hours=8)
    at, extra, actor = T0 + timedelta(hours=1), {"grant": given_grant}, sec.provider
    if kind == "no_covering_grant":
        extra = {"system": sec.intranet_a}  # no grant named, and none of the operator's covers it
    elif kind == "revoked":
        with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
            services.access_grant_revoke(actor=sec.a_security, grant=given_grant)
    elif kind == "expired":
        at = T0 + timedelta(hours=9)
    elif kind == "not_covered":
        extra["system"] = sec.intranet_a
    elif kind == "other_grantee":
        actor = sec.provider2
    elif kind == "outside_window":
        at = T0 + timedelta(hours=7, minutes=50)  # ends 20 minutes after the window
    session = record(sec, at=at, actor=actor, **extra)
    assert session.flagged
    assert session.flag_reasons == [kind]
    assert AccessSession.objects.filter(pk=session.pk, flagged=True).exists()
    event = AuditEvent.objects.get(action="access_session.flagged", object_id=str(session.pk))
    assert str(FlagReason(kind).label) in event.message
    assert event.subject_organization_path == sec.city.dept_a.path
    expected = {sec.a_head.pk, sec.a_security.pk, sec.center.pk}
    assert flagged_notified(sec, session) == expected


def test_several_reasons_are_all_recorded(sec):
    with time_machine.travel(T0, tick=False):
        given_grant = grant(sec, hours=1)
    session = record(sec, at=T0 + timedelta(hours=2), actor=sec.provider2, grant=given_grant, system=sec.intranet_a)
    assert session.flag_reasons == [FlagReason.OTHER_GRANTEE, FlagReason.EXPIRED, FlagReason.NOT_COVERED]
    assert [str(label) for label in session.flag_labels] == [
        "The grant was given to someone else",
        "The grant had expired",
        "The grant does not cover this system or resource",
    ]


def test_another_departments_system_is_not_covered(sec):
    with time_machine.travel(T0, tick=False):
        given_grant = grant(sec, hours=8)
    session = record(sec, at=T0 + timedelta(hours=1), grant=given_grant, system=sec.system_b)
    assert session.flag_reasons == [FlagReason.NOT_COVERED]
    # Reported to the department whose system was entered.
    assert session.organization == sec.city.dept_b
    assert sec.b_head.pk in flagged_notified(sec, session)
    assert sec.a_head.pk not in flagged_notified(sec, session)


def test_only_provider_staff_record_sessions_and_only_finished_ones(sec):
    with pytest.raises(PermissionDenied):
        record(sec, at=T0, actor=sec.a_head)
    with pytest.raises(PermissionDenied):
        record(sec, at=T0, actor=sec.b_applicant)
    with time_machine.travel(T0, tick=False), pytest.raises(ValidationError, match="once it has ended"):
        services.access_session_record(
            actor=sec.provider, system=sec.system_a, started_at=T0, ended_at=T0 + timedelta(hours=1), work_done="x"
        )
    with pytest.raises(ValidationError, match="what was done"):
        services.access_session_record(
            actor=sec.provider, system=sec.system_a, started_at=T0, ended_at=T0 + timedelta(hours=1), work_done=" "
        )
    assert not AccessSession.objects.exists()


def test_a_flagged_session_is_reviewed_by_its_department(sec):
    session = record(sec, at=T0)
    with pytest.raises(PermissionDenied):
        services.access_session_review(actor=sec.a_applicant, session=session, comment="x")
    with pytest.raises(Http404):
        services.access_session_review(actor=sec.b_head, session=session, comment="x")
    reviewed = services.access_session_review(actor=sec.a_security, session=session, comment="紧急抢修，已补授权")
    assert reviewed.reviewed_by == sec.a_security
    with pytest.raises(ValidationError, match="already"):
        services.access_session_review(actor=sec.center, session=session, comment="x")
    assert AuditEvent.objects.filter(action="access_session.review").count() == 1


def test_who_sees_which_grants_and_sessions(sec):
    with time_machine.travel(T0, tick=False):
        to_first = grant(sec, hours=8)
        to_second = grant(sec, hours=8, grantee=sec.provider2)
    mine = record(sec, at=T0 + timedelta(hours=1), grant=to_first)
    theirs = record(sec, at=T0 + timedelta(hours=1), actor=sec.provider2, grant=to_second)
    assert set(grants_for(user=sec.a_applicant)) == {to_first, to_second}
    assert set(sessions_for(user=sec.a_applicant)) == {mine, theirs}
    assert set(grants_for(user=sec.provider)) == {to_first}
    assert set(sessions_for(user=sec.provider)) == {mine}
    assert set(grants_for(user=sec.center)) == {to_first, to_second}
    for outsider in (sec.b_head, sec.b_applicant, sec.b_security, sec.city.user(Role.FINANCE_VIEWER)):
        assert not grants_for(user=outsider).exists()
        assert not sessions_for(user=outsider).exists()


# --- The rule itself, for any times ------------------------------------------------------------------

minutes = st.integers(min_value=-600, max_value=600)


@given(start=minutes, length=st.integers(min_value=1, max_value=600), revoked=st.one_of(st.none(), minutes))
def test_session_flags_match_the_window_rule(start, length, revoked):
    """Unsaved objects: a session is valid exactly when it lies inside [starts_at, effective end]."""

    class Operator:
        pk = 1

    window = AccessGrant(
        pk=1,
        system_id=7,
        grantee_id=1,
        starts_at=T0,
        ends_at=T0 + timedelta(hours=4),
        revoked_at=None if revoked is None else T0 + timedelta(minutes=revoked),
    )
    started = T0 + timedelta(minutes=start)
    ended = started + timedelta(minutes=length)
    flags = services.session_flags(
        grant=window, operator=Operator(), system_id=7, resource=None, started_at=started, ended_at=ended
    )
    inside = window.starts_at <= started and ended <= window.effective_end
    if window.revoked_at is not None and window.revoked_at < window.starts_at:
        inside = False
    assert (flags == []) == inside


# --- Grants name ledger resources (issue 16 §3) --------------------------------------------------


def test_a_grant_names_only_the_departments_own_resources_in_service(sec):
    from govcloud.ledger.services import resource_terminate

    theirs = ledger_resource(sec.city.dept_b, "乙局主机")
    gone = ledger_resource(sec.city.dept_a, "已退役主机")
    resource_terminate(actor=SYSTEM, resource=gone)
    for bad in (theirs, gone):
        with pytest.raises(ValidationError) as info:
            grant(sec, resources=[bad])
        assert "resources" in info.value.message_dict
    assert not AccessGrant.objects.exists()


def test_a_session_without_a_named_grant_is_covered_by_any_grant_of_the_operator(sec):
    web = ledger_resource(sec.city.dept_a, "web-01", system=sec.system_a)
    db = ledger_resource(sec.city.dept_a, "db-01", system=sec.intranet_a)
    with time_machine.travel(T0, tick=False):
        by_resource = grant(sec, resources=[db], hours=4)
        by_system = grant(sec, system=sec.system_a, hours=4)
    # The system grant covers the resources running in that system; the resource grant its resource.
    on_web = record(sec, at=T0 + timedelta(hours=1), system=None, resource=web)
    on_db = record(sec, at=T0 + timedelta(hours=1), system=None, resource=db)
    assert (on_web.flagged, on_web.grant) == (False, by_system)
    assert (on_db.flagged, on_db.grant) == (False, by_resource)
    # Outside the grants' hours, or on a resource no grant names: flagged, audited, reported.
    late = record(sec, at=T0 + timedelta(hours=5), system=None, resource=db)
    other = ledger_resource(sec.city.dept_a, "db-02", system=sec.intranet_a)
    uncovered = record(sec, at=T0 + timedelta(hours=1), system=None, resource=other)
    for session in (late, uncovered):
        assert session.flagged and session.flag_reasons == [FlagReason.NO_COVERING_GRANT]
        assert flagged_notified(sec, session) == {sec.a_head.pk, sec.a_security.pk, sec.center.pk}
        assert AuditEvent.objects.filter(action="access_session.flagged", object_id=str(session.pk)).exists()
    # A named grant that does not cover the resource.
    named = record(sec, at=T0 + timedelta(hours=1), system=None, resource=other, grant=by_resource)
    assert named.flag_reasons == [FlagReason.NOT_COVERED]


def test_the_migration_keeps_free_text_as_a_note_and_links_what_matches(sec):
    from importlib import import_module

    from django.apps import apps as django_apps

    migration = import_module("govcloud.security.migrations.0004_grants_name_ledger_resources")
    host = ledger_resource(sec.city.dept_a, "guahao-db-01")
    assert migration._match(django_apps.get_model("ledger", "Resource"), sec.city.dept_a.path, host.code) == host
    assert migration._match(django_apps.get_model("ledger", "Resource"), sec.city.dept_a.path, "guahao-db-01") == host
    assert migration._match(django_apps.get_model("ledger", "Resource"), sec.city.dept_b.path, "guahao-db-01") is None
