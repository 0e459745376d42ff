"""What the home pages show, per role. Each panel's data comes from the owning app's selectors and
from scoped querysets; nothing here writes."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from govcloud.applications.selectors import workflow_summary
from govcloud.audit.models import AuditEvent, Outcome
from govcloud.audit.selectors import chain_state
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.delivery.selectors import queue_summary
from govcloud.maintenance.selectors import upcoming_approved_for
from govcloud.organizations.models import Organization, OrganizationKind, User
from govcloud.organizations.selectors import organizations_for, users_for
from govcloud.workdays.selectors import deadline_from, next_year_notice_missing, work_calendar


def deadline_examples() -> dict:
    now = timezone.now()
    calendar = work_calendar()
    return {
        "approval": deadline_from(now, int(policy_value(Policy.APPROVAL_WORKING_DAYS))),
        "delivery": deadline_from(now, int(policy_value(Policy.DELIVERY_WORKING_DAYS))),
        "approval_days": policy_value(Policy.APPROVAL_WORKING_DAYS),
        "today_is_working_day": calendar.is_working_day(timezone.localdate()),
    }


def center_summary(*, user) -> dict:
    # One grouped query gives the counts by kind and by level.
    rows = list(Organization.objects.restrict(user).values_list("kind", "level").annotate(n=Count("id")).order_by())
    by_level: dict[str, int] = {}
    for kind, level, n in rows:
        if kind == OrganizationKind.DEPARTMENT:
            by_level[level] = by_level.get(level, 0) + n
    return {
        "department_count": sum(n for kind, _level, n in rows if kind == OrganizationKind.DEPARTMENT),
        "organization_count": sum(n for _kind, _level, n in rows),
        "user_count": users_for(user=user).count(),
        "by_level": sorted(by_level.items()),
        "missing_year": next_year_notice_missing(),
    }


def department_summary(*, user) -> dict:
    org = user.organization
    units = organizations_for(user=user).filter(path__startswith=org.path).exclude(pk=org.pk)
    colleagues = users_for(user=user).filter(organization__path__startswith=org.path)
    return {"organization": org, "units": list(units[:20]), "colleague_count": colleagues.count()}


def security_summary(*, user) -> dict:
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(minutes=int(policy_value(Policy.LOCKOUT_MINUTES)))
    limit = int(policy_value(Policy.LOCKOUT_FAILURE_LIMIT))
    return {
        "locked_count": AccessAttempt.objects.filter(attempt_time__gte=since, failures_since_start__gte=limit).count(),
        "failed_24h": AuditEvent.objects.filter(
            action="auth.login_failed", occurred_at__gte=timezone.now() - timedelta(hours=24)
        ).count(),
        "admins_without_totp": User.objects.filter(
            is_active=True,
            role_assignments__role__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CENTER_ADMIN],
        )
        .exclude(totpdevice__confirmed=True)
        .distinct()
        .count(),
    }


def audit_summary(*, user) -> dict:
    state = chain_state()
    return {
        **state,
        "denied_24h": AuditEvent.objects.restrict(user)
        .filter(outcome=Outcome.DENIED, occurred_at__gte=timezone.now() - timedelta(hours=24))
        .count(),
    }


def home_context(*, user) -> dict:
    roles = user.roles
    context: dict = {"deadlines": deadline_examples()}
    if roles & CENTER_ROLES:
        context["center"] = center_summary(user=user)
    if roles & DEPARTMENT_ROLES:
        context["department"] = department_summary(user=user)
        # Art. 12: the approved maintenance that concerns the department, next first.
        context["maintenance"] = upcoming_approved_for(user=user)
    if roles & (CENTER_ROLES | DEPARTMENT_ROLES):
        context["applications"] = workflow_summary(user=user)
    if roles & (CENTER_ROLES | {Role.PROVIDER_OPERATOR}):
        context["work_orders"] = queue_summary(user=user)
    if Role.SECURITY_ADMIN in roles:
        context["security"] = security_summary(user=user)
    if Role.AUDIT_ADMIN in roles:
        context["audit"] = audit_summary(user=user)
    if Role.SYSTEM_ADMIN in roles:
        context["system"] = {
            "user_count": User.objects.count(),
            "inactive_count": User.objects.filter(is_active=False).count(),
            "organization_count": Organization.objects.count(),
        }
    return context
