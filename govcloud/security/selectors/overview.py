"""The security overview: what waits on whom, per role, in a handful of queries whatever the volume.

Every count of the page comes from one query (scalar subqueries over the user's scoped querysets,
selected beside the user's own organization row); plans, occasions and the chart add one each.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, Func, IntegerField, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from govcloud.core.actors import actor_roles
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.organizations.models import Organization
from govcloud.security.models import (
    AWAITING_DEPARTMENT,
    AccessGrant,
    AccessSession,
    AddressFiling,
    BulletinStatus,
    FilingStatus,
    GrantStatus,
    NoticeRectification,
    PortRequest,
    PortRequestStatus,
    RectificationStatus,
    SecurityBulletin,
)
from govcloud.security.selectors.access import grant_status_q
from govcloud.security.selectors.calendar import (
    add_months,
    bulletin_due,
    month_start,
    previous_month,
    protection_occasions,
)
from govcloud.security.selectors.emergency import drill_status, plans_for
from govcloud.systems.models import InformationSystem

PROTECTION_AHEAD_DAYS = 60
PROTECTION_PAST_DAYS = 30
CHART_MONTHS = 6


def _count(queryset: QuerySet):
    """COUNT(*) of `queryset` as a scalar subquery (no GROUP BY: COUNT as a plain function)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _counts(user, *, bulletin_period) -> dict:
    now = timezone.now()
    filings = AddressFiling.objects.restrict(user)
    grants = AccessGrant.objects.restrict(user)
    sessions = AccessSession.objects.restrict(user)
    records = NoticeRectification.objects.restrict(user)
    row = (
        Organization.objects.filter(pk=user.organization_id)
        .annotate(
            filings_submitted=_count(filings.filter(status=FilingStatus.SUBMITTED)),
            filings_draft=_count(filings.filter(status__in=[FilingStatus.DRAFT, FilingStatus.REJECTED])),
            port_requests=_count(PortRequest.objects.restrict(user).filter(status=PortRequestStatus.SUBMITTED)),
            grants_active=_count(grants.filter(grant_status_q(GrantStatus.ACTIVE, now))),
            grants_scheduled=_count(grants.filter(grant_status_q(GrantStatus.SCHEDULED, now))),
            flagged_open=_count(sessions.filter(flagged=True, reviewed_at__isnull=True)),
            flagged_30d=_count(sessions.filter(flagged=True, started_at__gte=now - timedelta(days=30))),
            total_30d=_count(sessions.filter(started_at__gte=now - timedelta(days=30))),
            bulletin_published=Exists(
                SecurityBulletin.objects.filter(period=bulletin_period, status=BulletinStatus.PUBLISHED)
            ),
            unread_bulletins=_count(
                SecurityBulletin.objects.filter(status=BulletinStatus.PUBLISHED).exclude(receipts__reader_id=user.pk)
            ),
            notices_awaiting=_count(records.filter(status__in=AWAITING_DEPARTMENT)),
            notices_review=_count(records.filter(status=RectificationStatus.SUBMITTED)),
            notices_overdue=_count(records.filter(status__in=AWAITING_DEPARTMENT, notice__due_at__lte=now)),
        )
        .values(
            "filings_submitted",
            "filings_draft",
            "port_requests",
            "grants_active",
            "grants_scheduled",
            "flagged_open",
            "flagged_30d",
            "total_30d",
            "bulletin_published",
            "unread_bulletins",
            "notices_awaiting",
            "notices_review",
            "notices_overdue",
        )
        .get()
    )
    return row


def exposure_readiness(user, limit: int = 10) -> dict:
    """Internet-facing systems in the user's scope and whether each is cleared to go live — the
    rule of services.address_go_live_clearance (at least one address, every live one complete),
    counted in SQL for the whole list (one query)."""
    live = ~Q(address_filings__status=FilingStatus.WITHDRAWN) & Q(address_filings__isnull=False)
    systems = list(
        InformationSystem.objects.restrict(user)
        .filter(internet_facing=True, classified=False, is_active=True)
        .annotate(
            live_filings=Count("address_filings", filter=live),
            complete_filings=Count("address_filings", filter=Q(address_filings__status=FilingStatus.COMPLETE)),
        )
        .select_related("organization")
        .order_by("organization__path", "name")
    )
    blocked = [s for s in systems if not s.live_filings or s.complete_filings < s.live_filings]
    return {"total": len(systems), "blocked": blocked[:limit], "blocked_count": len(blocked)}


def session_chart(user) -> dict:
    """Sessions per month, flagged and not, over the last months (an ECharts option; one query)."""
    today = timezone.localdate()
    months = [add_months(month_start(today), -i) for i in range(CHART_MONTHS - 1, -1, -1)]
    rows = (
        AccessSession.objects.restrict(user)
        .filter(started_at__date__gte=months[0])
        .annotate(month=TruncMonth("started_at"))
        .values("month")
        .annotate(total=Count("id"), flagged=Count("id", filter=Q(flagged=True)))
        .order_by("month")
    )
    by_month = {}
    for row in rows:
        month = row["month"]
        key = month.date() if hasattr(month, "date") else month
        by_month[key.replace(day=1)] = row
    flagged = [by_month.get(m, {}).get("flagged", 0) for m in months]
    normal = [by_month.get(m, {}).get("total", 0) - f for m, f in zip(months, flagged, strict=True)]
    return {
        "color": ["#1756a0", "#a61b1b"],
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48},
        "xAxis": {"type": "category", "data": [f"{m:%Y-%m}" for m in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "ok", "type": "bar", "stack": "s", "data": normal},
            {"name": "flagged", "type": "bar", "stack": "s", "data": flagged},
        ],
    }


def security_overview(*, user) -> dict:
    roles = actor_roles(user)
    is_center = bool(roles & CENTER_ROLES)
    is_provider = Role.PROVIDER_OPERATOR in roles
    is_department = bool(roles & DEPARTMENT_ROLES)
    today = timezone.localdate()
    due = bulletin_due(previous_month(today))
    counts = _counts(user, bulletin_period=due.period)
    plans = plans_for(user=user).annotate(
        overdue_follow_ups=Count(
            "versions__drills__follow_ups",
            filter=Q(versions__drills__follow_ups__status="open", versions__drills__follow_ups__due_on__lt=today),
            distinct=True,
        )
    )
    statuses = drill_status(plans=plans)
    context: dict = {
        "is_center": is_center,
        "is_provider": is_provider,
        "is_department": is_department,
        "counts": counts,
        "drills_overdue": [s for s in statuses if s.is_overdue],
        "plan_count": len(statuses),
        "follow_ups_overdue": sum(s.plan.overdue_follow_ups for s in statuses),
    }
    if is_center or is_provider:
        occasions = protection_occasions(
            today - timedelta(days=PROTECTION_PAST_DAYS), today + timedelta(days=PROTECTION_AHEAD_DAYS)
        )
        context["occasions"] = occasions
        context["bulletin_due"] = due
        context["bulletin_overdue"] = not counts["bulletin_published"] and today > due.due_on
    if is_center or is_department:
        context["readiness"] = exposure_readiness(user)
    if is_center:
        context["session_chart"] = session_chart(user)
    return context
