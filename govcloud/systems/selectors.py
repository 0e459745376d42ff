"""Reads of the registry, the MLPS record, migration figures and exemptions. Each takes the acting
user and goes through the scope; lists run a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from govcloud.core.actors import actor_roles, is_system
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.organizations.models import Organization, OrganizationLevel
from govcloud.systems.models import (
    AssessmentConclusion,
    ExemptionState,
    ExpertAssignment,
    HostingStatus,
    InformationSystem,
    MigrationExemption,
    MlpsAssessment,
    MlpsFiling,
    Rectification,
    RectificationStatus,
    SystemAttachment,
    Vote,
)

# --- Compliance annotations (the go-live gate's inputs, one query for any number of systems) ------


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("system").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_compliance(queryset: QuerySet[InformationSystem], today: date | None = None) -> QuerySet:
    """Annotate each system with its latest filing and assessment and its rectification counts:
    everything `gate.clearance_of` needs, as correlated subqueries (no extra query per row)."""
    today = today or timezone.localdate()
    filing = MlpsFiling.objects.filter(system=OuterRef("pk")).order_by("-filed_on", "-id")
    assessment = MlpsAssessment.objects.filter(system=OuterRef("pk")).order_by("-assessed_on", "-id")
    open_items = Rectification.objects.filter(system=OuterRef("pk"), status=RectificationStatus.OPEN)
    overdue_items = open_items.filter(due_on__lt=today)
    return queryset.annotate(
        mlps_filing_number=Subquery(filing.values("filing_number")[:1]),
        mlps_filing_level=Subquery(filing.values("protection_level")[:1]),
        mlps_filed_on=Subquery(filing.values("filed_on")[:1]),
        mlps_assessed_on=Subquery(assessment.values("assessed_on")[:1]),
        mlps_assessing_body=Subquery(assessment.values("assessing_body")[:1]),
        mlps_assessment_level=Subquery(assessment.values("protection_level")[:1]),
        mlps_assessment_conclusion=Subquery(assessment.values("conclusion")[:1]),
        mlps_next_due=Subquery(assessment.values("next_due_on")[:1]),
        mlps_open_count=_count(open_items),
        mlps_overdue_count=_count(overdue_items),
        mlps_first_overdue_due=Subquery(overdue_items.order_by("due_on").values("due_on")[:1]),
    )


class Compliance:
    """Filter values for the registry's compliance filter (the same rules as the gate; a test keeps
    `compliance_q` and `gate.clearance_of` in agreement)."""

    CLEARED = "cleared"
    NOT_CLEARED = "not_cleared"
    NO_FILING = "no_filing"
    ASSESSMENT = "assessment"
    RECTIFICATION_OVERDUE = "rectification_overdue"


def compliance_q(kind: str, today: date | None = None) -> Q:
    """A filter on `with_compliance` annotations."""
    today = today or timezone.localdate()
    gradable = Q(classified=False, is_active=True, protection_level__isnull=False)
    no_filing = Q(mlps_filing_number__isnull=True) | ~Q(mlps_filing_level=F("protection_level"))
    bad_assessment = Q(protection_level__gte=2) & (
        Q(mlps_assessment_conclusion__isnull=True)
        | Q(mlps_assessment_conclusion=AssessmentConclusion.FAIL)
        | ~Q(mlps_assessment_level=F("protection_level"))
        | Q(mlps_next_due__lt=today)
    )
    overdue = Q(mlps_overdue_count__gt=0)
    if kind == Compliance.NO_FILING:
        return gradable & no_filing
    if kind == Compliance.ASSESSMENT:
        return gradable & bad_assessment
    if kind == Compliance.RECTIFICATION_OVERDUE:
        return Q(classified=False) & overdue
    blocked = (
        Q(classified=True)
        | Q(is_active=False)
        | Q(protection_level__isnull=True)
        | no_filing
        | bad_assessment
        | overdue
    )
    if kind == Compliance.NOT_CLEARED:
        return blocked
    # Cleared: every positive condition holds (written positively: NULLs never pass a negation).
    return (
        gradable
        & Q(
            mlps_filing_number__isnull=False,
            mlps_filing_level=F("protection_level"),
            mlps_overdue_count=0,
        )
        & (
            Q(protection_level=1)
            | Q(
                mlps_assessment_conclusion=AssessmentConclusion.PASS,
                mlps_assessment_level=F("protection_level"),
                mlps_next_due__gte=today,
            )
        )
    )


# --- The registry ---------------------------------------------------------------------------------


def systems_for(*, user, action: str = Action.VIEW, today: date | None = None) -> QuerySet[InformationSystem]:
    return with_compliance(
        InformationSystem.objects.restrict(user, action)
        .select_related("organization")
        .prefetch_related("responsible_people"),
        today,
    )


def system_get(*, user, pk, action: str = Action.VIEW) -> InformationSystem:
    return get_scoped_or_404(
        with_compliance(
            InformationSystem.objects.select_related("organization").prefetch_related("responsible_people")
        ),
        user,
        action,
        pk=pk,
    )


def may_see_contacts(user) -> bool:
    """Responsible people's phone numbers: the department, the center and the provider (who calls
    them in an incident); experts and the leading group see names only."""
    if is_system(user):
        return True
    roles = actor_roles(user)
    return bool(roles & (CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR}))


def filings_for(*, user, action: str = Action.VIEW) -> QuerySet[MlpsFiling]:
    return (
        MlpsFiling.objects.restrict(user, action)
        .select_related("system", "system__organization", "recorded_by")
        .prefetch_related("attachments")
    )


def assessments_for(*, user, action: str = Action.VIEW) -> QuerySet[MlpsAssessment]:
    return (
        MlpsAssessment.objects.restrict(user, action)
        .select_related("system", "system__organization", "recorded_by")
        .prefetch_related("attachments")
    )


def rectifications_for(*, user, action: str = Action.VIEW) -> QuerySet[Rectification]:
    return Rectification.objects.restrict(user, action).select_related("system", "system__organization", "assessment")


def rectification_get(*, user, pk, action: str = Action.VIEW) -> Rectification:
    return get_scoped_or_404(rectifications_for(user=user), user, action, pk=pk)


def attachments_for(*, user) -> QuerySet[SystemAttachment]:
    return SystemAttachment.objects.restrict(user).select_related("system", "system__organization", "uploaded_by")


def attachment_get(*, user, pk) -> SystemAttachment:
    return get_scoped_or_404(attachments_for(user=user), user, pk=pk)


# --- Migration (Art. 3) ----------------------------------------------------------------------------


@dataclass
class MigrationRow:
    organization_id: int
    name: str
    on_platform: int = 0
    migrating: int = 0
    own_room: int = 0
    exempted: int = 0
    overdue: int = 0
    no_plan: int = 0
    full_name: str = ""

    @property
    def total(self) -> int:
        return self.on_platform + self.migrating + self.own_room + self.exempted

    @property
    def percent_on_platform(self) -> int:
        return round(self.on_platform * 100 / self.total) if self.total else 0

    def add(self, other: MigrationRow) -> None:
        for name in ("on_platform", "migrating", "own_room", "exempted", "overdue", "no_plan"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MigrationStats:
    rows: list[MigrationRow]
    total: MigrationRow
    overdue_systems: list[InformationSystem] = field(default_factory=list)
    classified_count: int = 0


_NOT_MIGRATED = [HostingStatus.OWN_ROOM, HostingStatus.MIGRATING]


def _department_of(path: str, orgs: dict[int, dict]) -> int | None:
    """The department (or district) a unit's systems count under: the nearest organization at or
    above it that is not a unit (Art. 4 tree)."""
    ids = [int(x) for x in path.strip("/").split("/") if x]
    for pk in reversed(ids):
        org = orgs.get(pk)
        if org is not None and org["level"] != OrganizationLevel.UNIT:
            return pk
    return ids[-1] if ids else None


def migration_stats(*, user, today: date | None = None, overdue_limit: int = 100) -> MigrationStats:
    """Per department and city-wide: non-classified systems on the platform, migrating, in their
    own machine room, exempted; plans past their date. One grouped query for the counts."""
    today = today or timezone.localdate()
    systems = InformationSystem.objects.restrict(user).filter(is_active=True)
    overdue_q = Q(hosting_status__in=_NOT_MIGRATED, planned_migration_date__lt=today)
    grouped = list(
        systems.values("organization_id", "organization__path")
        .annotate(
            on_platform=Count("id", filter=Q(classified=False, hosting_status=HostingStatus.ON_PLATFORM)),
            migrating=Count("id", filter=Q(classified=False, hosting_status=HostingStatus.MIGRATING)),
            own_room=Count("id", filter=Q(classified=False, hosting_status=HostingStatus.OWN_ROOM)),
            exempted=Count("id", filter=Q(classified=False, hosting_status=HostingStatus.EXEMPTED)),
            overdue=Count("id", filter=Q(classified=False) & overdue_q),
            no_plan=Count(
                "id",
                filter=Q(classified=False, hosting_status__in=_NOT_MIGRATED, planned_migration_date__isnull=True),
            ),
            classified_n=Count("id", filter=Q(classified=True)),
        )
        .order_by()
    )
    ancestor_ids = {int(x) for row in grouped for x in row["organization__path"].strip("/").split("/") if x}
    orgs = {
        o["pk"]: o
        for o in Organization.objects.filter(pk__in=ancestor_ids).values("pk", "name", "short_name", "level", "path")
    }
    by_department: dict[int, MigrationRow] = {}
    total = MigrationRow(organization_id=0, name="")
    classified = 0
    for row in grouped:
        classified += row["classified_n"]
        counts = MigrationRow(
            organization_id=row["organization_id"],
            name="",
            **{k: row[k] for k in ("on_platform", "migrating", "own_room", "exempted", "overdue", "no_plan")},
        )
        if not counts.total:
            continue
        dept = _department_of(row["organization__path"], orgs) or row["organization_id"]
        org = orgs.get(dept, {})
        full_name = org.get("name", str(dept))
        target = by_department.setdefault(
            dept,
            MigrationRow(organization_id=dept, name=org.get("short_name") or full_name, full_name=full_name),
        )
        target.add(counts)
        total.add(counts)
    rows = sorted(by_department.values(), key=lambda r: orgs.get(r.organization_id, {}).get("path", ""))
    overdue_systems = list(
        systems.filter(overdue_q, classified=False)
        .select_related("organization")
        .order_by("planned_migration_date", "name")[:overdue_limit]
    )
    return MigrationStats(rows=rows, total=total, overdue_systems=overdue_systems, classified_count=classified)


def migration_chart(stats: MigrationStats, labels: dict[str, str]) -> dict:
    """An ECharts option: a stacked bar per department (labels are the localized status names)."""
    names = [r.name for r in stats.rows]
    colors = {
        "on_platform": "#2e7d5b",
        "migrating": "#1756a0",
        "own_room": "#e0a526",
        "exempted": "#5c7c8a",
    }
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "name": labels[key],
                "type": "bar",
                "stack": "systems",
                "itemStyle": {"color": color},
                "data": [getattr(r, key) for r in stats.rows],
            }
            for key, color in colors.items()
        ],
    }


# --- Exemptions ------------------------------------------------------------------------------------


def with_exemption_counts(queryset: QuerySet[MigrationExemption]) -> QuerySet[MigrationExemption]:
    assignments = ExpertAssignment.objects.filter(exemption=OuterRef("pk")).order_by().values("exemption")
    counted = assignments.annotate(n=Count("id")).values("n")
    voted = assignments.exclude(vote="").annotate(n=Count("id")).values("n")
    approving = assignments.filter(vote=Vote.APPROVE).annotate(n=Count("id")).values("n")
    return queryset.annotate(
        expert_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        voted_count=Coalesce(Subquery(voted, output_field=IntegerField()), Value(0)),
        approve_count=Coalesce(Subquery(approving, output_field=IntegerField()), Value(0)),
    )


def exemptions_for(*, user, action: str = Action.VIEW) -> QuerySet[MigrationExemption]:
    return with_exemption_counts(
        MigrationExemption.objects.restrict(user, action).select_related(
            "system", "system__organization", "requested_by", "decided_by", "renewal_of"
        )
    )


def exemption_get(*, user, pk, action: str = Action.VIEW) -> MigrationExemption:
    queryset = with_exemption_counts(
        MigrationExemption.objects.select_related(
            "system", "system__organization", "requested_by", "decided_by", "renewal_of"
        ).prefetch_related(
            Prefetch("assignments", queryset=ExpertAssignment.objects.select_related("expert", "expert__organization")),
            "events",
            "attachments",
        )
    )
    return get_scoped_or_404(queryset, user, action, pk=pk)


def exemptions_awaiting(*, user) -> QuerySet[MigrationExemption]:
    """What waits on this user: the center's queue, an expert's open votes, the leading group's
    decisions, a department's drafts."""
    roles = actor_roles(user)
    mine = exemptions_for(user=user)
    q = Q(pk__in=[])
    if Role.CENTER_ADMIN in roles:
        q |= Q(state__in=[ExemptionState.SUBMITTED, ExemptionState.EXPERT_REVIEW])
    if Role.EXPERT in roles:
        q |= Q(
            state=ExemptionState.EXPERT_REVIEW,
            pk__in=ExpertAssignment.objects.filter(expert=user, vote="").values("exemption_id"),
        )
    if Role.LEADING_GROUP in roles:
        q |= Q(state=ExemptionState.LEADING_GROUP_REVIEW)
    if roles & DEPARTMENT_ROLES:
        q |= Q(state=ExemptionState.DRAFT)
    return mine.filter(q)


def votes_visible(*, user, exemption: MigrationExemption) -> bool:
    """Individual votes and opinions are shown to whoever sees the request, except to an assigned
    expert who has not voted yet: each expert judges on their own (uses the prefetched assignments)."""
    if is_system(user) or exemption.state != ExemptionState.EXPERT_REVIEW:
        return True
    mine = [a for a in exemption.assignments.all() if a.expert_id == getattr(user, "pk", None)]
    return not mine or bool(mine[0].vote)


def current_exemption(*, system: InformationSystem) -> MigrationExemption | None:
    """The approved (valid) exemption of a system, if any."""
    return system.exemptions.filter(state=ExemptionState.APPROVED).first()


def experts_available():
    """Active users holding the expert role, for the center to assign."""
    from govcloud.organizations.models import User

    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.EXPERT)
        .select_related("organization")
        .distinct()
        .order_by("full_name")
    )
