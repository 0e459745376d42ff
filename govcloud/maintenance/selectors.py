"""Reads about maintenance windows. The page and API reads take the acting user (a department sees
the approved windows that concern it, and of those only its own resources and departments; the
center and the provider see everything).

`in_maintenance`, `resources_in_maintenance` and `planned_periods` are the questions other apps
ask (monitoring alerts, availability, incidents): see the package docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from govcloud.core.actors import actor_roles
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceState
from govcloud.maintenance.models import (
    APPROVERS,
    OPEN_STATES,
    PLANNED_STATES,
    PLANNERS,
    TENANT_KINDS,
    AffectedDepartment,
    MaintenanceWindow,
    WindowEvent,
    WindowState,
    ancestor_paths,
)
from govcloud.organizations.models import Organization, OrganizationLevel
from govcloud.workdays.calendar import SHANGHAI

# --- Pages and API ---------------------------------------------------------------------------------


def _count(queryset: QuerySet):
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sees_all(user) -> bool:
    return bool(actor_roles(user) & (PLANNERS | APPROVERS))


def _department_q(user, prefix: str = "") -> Q:
    """Affected-department rows of the user's organization, its units and the departments above it."""
    org = getattr(user, "organization", None)
    if org is None or not org.path:
        return Q(pk__in=[])
    return Q(**{f"{prefix}organization__path__startswith": org.path}) | Q(
        **{f"{prefix}organization__path__in": ancestor_paths(org.path)}
    )


def window_base() -> QuerySet[MaintenanceWindow]:
    return MaintenanceWindow.objects.select_related("created_by", "approved_by").order_by("-start", "-id")


def with_scope_figures(queryset: QuerySet[MaintenanceWindow], *, user) -> QuerySet[MaintenanceWindow]:
    """How many departments and resources each window concerns — of those the user sees
    (subqueries: one query for a page)."""
    departments = AffectedDepartment.objects.filter(window=OuterRef("pk"))
    resources = Resource.objects.filter(maintenance_windows=OuterRef("pk"))
    if not _sees_all(user):
        departments = departments.filter(_department_q(user))
        resources = resources.restrict(user)
    return queryset.annotate(department_count=_count(departments), resource_count=_count(resources))


def windows_for(*, user, action: str = Action.VIEW) -> QuerySet[MaintenanceWindow]:
    return with_scope_figures(window_base(), user=user).restrict(user, action)


def window_get(*, user, pk, action: str = Action.VIEW) -> MaintenanceWindow:
    return get_scoped_or_404(with_scope_figures(window_base(), user=user), user, action, pk=pk)


def window_resources(*, user, window: MaintenanceWindow) -> QuerySet[Resource]:
    """The window's resources the user sees (a department: its own)."""
    return (
        Resource.objects.restrict(user)
        .filter(maintenance_windows=window)
        .select_related("organization", "system")
        .order_by("organization__path", "code")
    )


def window_departments(*, user, window: MaintenanceWindow) -> QuerySet[AffectedDepartment]:
    """The departments the window concerns that the user may know of (a department: itself)."""
    rows = AffectedDepartment.objects.filter(window=window).select_related("organization")
    if not _sees_all(user):
        rows = rows.filter(_department_q(user))
    return rows.order_by("organization__path")


def window_timeline(*, window: MaintenanceWindow) -> QuerySet[WindowEvent]:
    return WindowEvent.objects.filter(window=window).order_by("created_at", "id")


def upcoming_for(*, user, now: datetime | None = None, days: int = 60) -> QuerySet[MaintenanceWindow]:
    """Windows not over yet that start within `days`: approved and running ones for everybody, and
    for the center and the provider also those awaiting a decision or correction."""
    now = now or timezone.now()
    states = OPEN_STATES if _sees_all(user) else PLANNED_STATES
    return (
        windows_for(user=user)
        .filter(state__in=states, end__gt=now, start__lt=now + timedelta(days=days))
        .order_by("start", "id")
    )


def upcoming_approved_for(*, user, limit: int = 5) -> list[MaintenanceWindow]:
    """For the home page: the next approved (or running) windows the user's department is told of."""
    now = timezone.now()
    return list(
        windows_for(user=user)
        .filter(state__in=(WindowState.APPROVED, WindowState.IN_PROGRESS), end__gt=now)
        .order_by("start", "id")[:limit]
    )


def state_counts(*, user) -> dict[str, int]:
    """Windows in the user's scope per state (one query)."""
    rows = MaintenanceWindow.objects.restrict(user).order_by().values_list("state").annotate(n=Count("pk"))
    counts = dict.fromkeys(WindowState.values, 0)
    counts.update(dict(rows))
    return counts


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) moments in Asia/Shanghai."""
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=SHANGHAI),
        datetime.combine(end, datetime.min.time(), tzinfo=SHANGHAI),
    )


def department_choices() -> QuerySet[Organization]:
    """The departments a window may concern as a whole."""
    return (
        Organization.objects.filter(is_active=True, kind__in=TENANT_KINDS)
        .exclude(level=OrganizationLevel.CITY)
        .order_by("path")
    )


def resources_by_codes(*, user, codes: Iterable[str]) -> tuple[list[Resource], list[str]]:
    """The user's non-terminated ledger resources with these numbers, and the numbers not found."""
    wanted = {c.strip() for c in codes if c and c.strip()}
    found = list(
        Resource.objects.restrict(user).filter(code__in=wanted).exclude(state=ResourceState.TERMINATED).order_by("code")
    )
    missing = sorted(wanted - {r.code for r in found})
    return found, missing


# --- For other apps: is a resource in planned maintenance? -----------------------------------------


def _planned_windows() -> QuerySet[MaintenanceWindow]:
    return MaintenanceWindow.objects.filter(state__in=PLANNED_STATES)


def _covering(at: datetime) -> QuerySet[MaintenanceWindow]:
    """Approved windows covering the moment: from the planned start to the end (or to the
    completion, when the provider finished early)."""
    return (
        _planned_windows()
        .filter(start__lte=at, end__gt=at)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=at))
    )


def _resources_of_windows(windows: list[dict], resource_ids: set[int]) -> dict[int, set[int]]:
    """{window id: the ids among `resource_ids` it covers} in at most three queries."""
    covered: dict[int, set[int]] = {w["pk"]: set() for w in windows}
    if not windows or not resource_ids:
        return covered
    for w in windows:
        if w["platform_wide"]:
            covered[w["pk"]] = set(resource_ids)
    window_ids = [w["pk"] for w in windows if not w["platform_wide"]]
    if not window_ids:
        return covered
    through = MaintenanceWindow.resources.through.objects.filter(
        maintenancewindow_id__in=window_ids, resource_id__in=resource_ids
    ).values_list("maintenancewindow_id", "resource_id")
    for window_id, resource_id in through:
        covered[window_id].add(resource_id)
    whole = list(
        AffectedDepartment.objects.filter(window_id__in=window_ids, whole=True).values_list(
            "window_id", "organization__path"
        )
    )
    if whole:
        paths = dict(Resource.objects.filter(pk__in=resource_ids).values_list("pk", "organization__path"))
        for window_id, org_path in whole:
            covered[window_id] |= {pk for pk, path in paths.items() if path and path.startswith(org_path)}
    return covered


def resources_in_maintenance(*, resource_ids: Iterable[int], at: datetime) -> set[int]:
    """The ids among `resource_ids` that an approved maintenance window covers at `at`
    (a constant number of queries, however many resources)."""
    ids = {int(pk) for pk in resource_ids}
    windows = list(_covering(at).values("pk", "platform_wide"))
    result: set[int] = set()
    for covered in _resources_of_windows(windows, ids).values():
        result |= covered
    return result


def in_maintenance(*, resource, at: datetime) -> bool:
    """Whether an approved maintenance window covers `resource` (a Resource or its id) at `at`:
    alerts and unavailability then are planned, not faults."""
    pk = getattr(resource, "pk", resource)
    return pk in resources_in_maintenance(resource_ids=[pk], at=at)


def planned_periods(
    *, resource_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per resource, the intervals of [start, end) covered by approved maintenance windows, merged
    and in order (resources without any are left out). For availability figures."""
    ids = {int(pk) for pk in resource_ids}
    rows = list(
        _planned_windows()
        .filter(start__lt=end, end__gt=start)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=start))
        .values("pk", "platform_wide", "start", "end", "completed_at")
    )
    spans = {w["pk"]: (max(w["start"], start), min(w["completed_at"] or w["end"], w["end"], end)) for w in rows}
    periods: dict[int, list[tuple[datetime, datetime]]] = {}
    for window_id, covered in _resources_of_windows(rows, ids).items():
        for pk in covered:
            periods.setdefault(pk, []).append(spans[window_id])
    return {pk: _merged(intervals) for pk, intervals in periods.items()}


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(intervals):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
