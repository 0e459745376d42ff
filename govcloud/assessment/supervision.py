"""The center's supervision of departments (Art. 13, 19): per department, idle resources, utilization,
cost against budget, overdue compliance items and the ratings it gave, ranked, each figure with a
link to the records behind it, and an XLSX export for the city's annual evaluation.

Set-based: six grouped queries (compound ones for cost/budget and for the ratings) whatever the
number of departments; a unit's records count under its department (the nearest organization
above it that is not a unit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlencode

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.assessment.models import READERS, DeliveryRating, SurveyResponse
from govcloud.core.actors import actor_roles

# The sort keys of the ranking: key → (attribute, worst first?)
SORTS = {
    "idle": ("idle", True),
    "utilization": ("utilization", False),
    "budget": ("budget_used", True),
    "overdue": ("overdue_items", True),
    "ratings": ("ratings_given", False),
}
UTILIZATION_DAYS = 30


def can_supervise(user) -> bool:
    return bool(actor_roles(user) & READERS)


@dataclass
class DepartmentRow:
    pk: int
    name: str
    path: str
    resources: int = 0
    idle: int = 0
    utilization: float | None = None
    cost: Decimal = Decimal(0)
    budget: Decimal | None = None
    expired_assessments: int = 0
    missing_people: int = 0
    overdue_migrations: int = 0
    delivery_ratings: int = 0
    incident_ratings: int = 0
    surveys_answered: int = 0
    links: dict[str, str] = field(default_factory=dict)

    @property
    def budget_used(self) -> float | None:
        if not self.budget:
            return None
        return round(float(self.cost) * 100 / float(self.budget), 1)

    @property
    def idle_share(self) -> float | None:
        return round(100 * self.idle / self.resources, 1) if self.resources else None

    @property
    def overdue_items(self) -> int:
        return self.expired_assessments + self.missing_people + self.overdue_migrations

    @property
    def ratings_given(self) -> int:
        return self.delivery_ratings + self.incident_ratings + self.surveys_answered


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return reverse(name) + (f"?{query}" if query else "")


class _Departments:
    """Maps any organization path to its department row."""

    def __init__(self, rows: dict[str, DepartmentRow]):
        self.by_path = rows

    def of(self, path: str | None) -> DepartmentRow | None:
        if not path:
            return None
        parts = [p for p in path.strip("/").split("/") if p]
        for n in range(len(parts), 0, -1):
            row = self.by_path.get("/" + "/".join(parts[:n]) + "/")
            if row is not None:
                return row
        return None


def supervision_rows(*, user, year: int | None = None, sort: str = "idle", today: date | None = None) -> list:
    """Every department with its figures, ranked by `sort` (the worst first for the waste and
    compliance figures, the lowest first for utilization and ratings)."""
    from govcloud.billing.models import Statement
    from govcloud.budgets.models import Budget
    from govcloud.incidents.models import Incident
    from govcloud.ledger.models import Resource, ResourceState
    from govcloud.monitoring.models import AlertKind, AlertState, Metric, Period, Rollup
    from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel
    from govcloud.systems.models import HostingStatus, InformationSystem, ResponsibleDuty, ResponsiblePerson
    from govcloud.systems.selectors import Compliance, compliance_q, with_compliance

    if not can_supervise(user):
        return []
    today = today or timezone.localdate()
    year = year or today.year
    departments = {
        path: DepartmentRow(pk=pk, name=short or name, path=path)
        for pk, name, short, path in Organization.objects.filter(
            kind=OrganizationKind.DEPARTMENT, is_active=True, depth__gt=0
        )
        .exclude(level=OrganizationLevel.UNIT)
        .values_list("pk", "name", "short_name", "path")
    }
    index = _Departments(departments)
    # 2. Resources in service and the open idle alerts on them.
    rows = (
        Resource.objects.filter(state=ResourceState.IN_SERVICE)
        .values("organization__path")
        .annotate(
            n=Count("pk", distinct=True),
            idle=Count("alerts", filter=Q(alerts__kind=AlertKind.IDLE, alerts__state=AlertState.OPEN), distinct=True),
        )
        .order_by()
    )
    for r in rows:
        dept = index.of(r["organization__path"])
        if dept:
            dept.resources += r["n"]
            dept.idle += r["idle"]
    # 3. Utilization: the average of the daily CPU averages over the last 30 days.
    since = timezone.now() - timedelta(days=UTILIZATION_DAYS)
    cpu: dict[int, list[tuple[float, int]]] = {}
    for path, avg, n in (
        Rollup.objects.filter(metric=Metric.CPU_PERCENT, period=Period.DAY, start__gte=since)
        .values("resource__organization__path")
        .annotate(a=Avg("avg"), n=Count("pk"))
        .values_list("resource__organization__path", "a", "n")
        .order_by()
    ):
        dept = index.of(path)
        if dept:
            cpu.setdefault(dept.pk, []).append((avg, n))
    for dept in departments.values():
        parts = cpu.get(dept.pk)
        if parts:
            dept.utilization = round(sum(a * n for a, n in parts) / sum(n for _a, n in parts), 1)
    # 4. Cost of the year's statements and the year's budgets, in one compound query.
    statements = (
        Statement.objects.filter(period__year=year)
        .values("organization__path")
        .annotate(kind=Value("cost", output_field=CharField()), total=Sum("total"))
        .values_list("organization__path", "kind", "total")
        .order_by()
    )
    budgets = (
        Budget.objects.filter(year=year)
        .annotate(kind=Value("budget", output_field=CharField()), total=F("amount"))
        .values_list("organization__path", "kind", "total")
        .order_by()
    )
    for path, kind, amount in statements.union(budgets, all=True):
        dept = index.of(path)
        if dept is None or amount is None:
            continue
        amount = Decimal(str(amount))
        if kind == "cost":
            dept.cost += amount
        else:
            dept.budget = (dept.budget or Decimal(0)) + amount
    # 6. Compliance items, one row per active system (flags computed in the database).
    people = (
        ResponsiblePerson.objects.filter(system=OuterRef("pk"))
        .order_by()
        .values("system")
        .annotate(n=Count("duty", distinct=True))
        .values("n")
    )
    systems = (
        with_compliance(InformationSystem.objects.filter(is_active=True), today)
        .annotate(people_n=Coalesce(Subquery(people, output_field=IntegerField()), Value(0)))
        .annotate(
            expired=Case(
                When(compliance_q(Compliance.ASSESSMENT, today), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    duties = len(ResponsibleDuty.values)
    overdue_status = {HostingStatus.OWN_ROOM, HostingStatus.MIGRATING}
    for path, expired, people_n, status, planned, classified in systems.values_list(
        "organization__path", "expired", "people_n", "hosting_status", "planned_migration_date", "classified"
    ):
        dept = index.of(path)
        if dept is None:
            continue
        dept.expired_assessments += 1 if expired else 0
        dept.missing_people += 1 if people_n < duties else 0
        if not classified and status in overdue_status and planned is not None and planned < today:
            dept.overdue_migrations += 1

    # 6. Ratings the department gave this year (deliveries, incidents, survey answers): one compound query.
    def given(queryset, date_field: str, kind: str):
        return (
            queryset.filter(**{f"{date_field}__year": year})
            .values("organization__path")
            .annotate(kind=Value(kind, output_field=CharField()), n=Count("pk"))
            .values_list("organization__path", "kind", "n")
            .order_by()
        )

    ratings = given(DeliveryRating.objects, "rated_at", "delivery_ratings").union(
        given(Incident.objects.filter(rating__isnull=False), "rated_at", "incident_ratings"),
        given(SurveyResponse.objects, "answered_at", "surveys_answered"),
        all=True,
    )
    for path, kind, n in ratings:
        dept = index.of(path)
        if dept is not None:
            setattr(dept, kind, getattr(dept, kind) + n)
    out = list(departments.values())
    for dept in out:
        dept.links = {
            "idle": _url("monitoring:alert_list", kind=AlertKind.IDLE, state=AlertState.OPEN, organization=dept.pk),
            "resources": _url("ledger:resource_list", organization=dept.pk, state=ResourceState.IN_SERVICE),
            "utilization": _url("monitoring:utilization", organization=dept.pk),
            "cost": _url("budgets:budget_list", year=year),
            "assessments": _url("systems:system_list", organization=dept.pk, compliance=Compliance.ASSESSMENT),
            "people": _url("systems:system_list", organization=dept.pk),
            "migrations": _url("systems:migration_dashboard"),
            "ratings": _url("assessment:survey_list"),
        }
    attr, worst_first = SORTS.get(sort, SORTS["idle"])

    def key(row):
        value = getattr(row, attr)
        missing = value is None
        value = float(value or 0)
        return (missing, -value if worst_first else value, row.path)

    out.sort(key=key)
    return out


def supervision_xlsx(rows: list[DepartmentRow], *, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(year)
    ws.append(
        [
            _("Department"),
            _("Resources in service"),
            _("Idle resources"),
            _("Idle (%)"),
            _("CPU utilization, 30 days (%)"),
            _("Cost %(year)s (yuan)") % {"year": year},
            _("Budget %(year)s (yuan)") % {"year": year},
            _("Used (%)"),
            _("Expired or missing MLPS assessments"),
            _("Systems missing responsible people"),
            _("Overdue migrations"),
            _("Delivery ratings given"),
            _("Incident ratings given"),
            _("Surveys answered"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            [
                r.name,
                r.resources,
                r.idle,
                r.idle_share,
                r.utilization,
                float(r.cost),
                float(r.budget) if r.budget is not None else None,
                r.budget_used,
                r.expired_assessments,
                r.missing_people,
                r.overdue_migrations,
                r.delivery_ratings,
                r.incident_ratings,
                r.surveys_answered,
            ]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
