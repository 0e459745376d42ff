"""Reads of the service desk; each takes the acting user. A department sees its own incidents, the
provider and the center all of them; out of scope answers 404 like a missing incident."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.incidents.models import (
    OPEN_STATES,
    DutyShift,
    FollowUpItem,
    Incident,
    IncidentAttachment,
    IncidentEntry,
    IncidentSeverity,
    IncidentState,
)
from govcloud.ledger.models import Resource
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel
from govcloud.systems.models import InformationSystem


def incident_rows() -> QuerySet[Incident]:
    """Incidents with what their lists show; restrict before use."""
    return Incident.objects.select_related("organization", "severity", "system", "responder", "merged_into").order_by(
        "-reported_at", "-id"
    )


def incidents_for(*, user, action: str = Action.VIEW) -> QuerySet[Incident]:
    return incident_rows().restrict(user, action)


def incident_get(*, user, pk, action: str = Action.VIEW) -> Incident:
    queryset = (
        incident_rows()
        .select_related("major_report__submitted_by")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.order_by("code")),
            Prefetch("follow_ups", queryset=FollowUpItem.objects.order_by("due_on", "id")),
        )
    )
    return get_scoped_or_404(queryset, user, action, pk=pk)


def major_report_of(incident: Incident):
    """The incident's filed report, or None (select_related by incident_get: no query)."""
    try:
        return incident.major_report
    except Incident.major_report.RelatedObjectDoesNotExist:
        return None


def incident_timeline(*, incident: Incident) -> QuerySet[IncidentEntry]:
    return (
        IncidentEntry.objects.filter(incident=incident)
        .select_related("actor")
        .prefetch_related(Prefetch("attachments", queryset=IncidentAttachment.objects.order_by("uploaded_at")))
        .order_by("created_at", "id")
    )


def attachment_get(*, incident: Incident, attachment_id) -> IncidentAttachment:
    """A file of the incident (the caller has it in scope): another incident's file answers 404
    like a missing one."""
    found = IncidentAttachment.objects.filter(pk=attachment_id, incident=incident).first()
    if found is None:
        raise Http404(_("There is no such attachment."))
    return found


def board_rows(*, user, now: datetime | None = None) -> QuerySet[Incident]:
    """The open incidents on the service desk board, the least time left first: an unanswered
    incident counts to its response deadline, an answered one to its recovery target."""
    now = now or timezone.now()
    return (
        incidents_for(user=user)
        .filter(state__in=OPEN_STATES)
        .annotate(
            due=Case(
                When(state=IncidentState.REPORTED, then=F("response_due_at")),
                default=F("recovery_due_at"),
            ),
            waiting=Case(
                When(state=IncidentState.REPORTED, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("due", "waiting", "pk")
    )


def open_counts(*, user, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return incidents_for(user=user).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        waiting=Count("pk", filter=Q(state=IncidentState.REPORTED)),
        response_breached=Count("pk", filter=Q(state=IncidentState.REPORTED, response_due_at__lt=now)),
        recovery_breached=Count("pk", filter=Q(state__in=OPEN_STATES, recovery_due_at__lt=now)),
        major=Count("pk", filter=Q(state__in=OPEN_STATES, severity__is_major=True)),
    )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, timezone.make_aware(datetime(following.year, following.month, 1))


def month_figures(*, user, month: date) -> dict:
    """The month's figures over the incidents reported in it (Art. 20: service response): response
    within the limit %, median response time, recovery within the target %, average rating."""
    start, end = month_bounds(month)
    rows = (
        incidents_for(user=user).filter(reported_at__gte=start, reported_at__lt=end).exclude(state=IncidentState.MERGED)
    )
    figures = rows.aggregate(
        total=Count("pk"),
        responded=Count("pk", filter=Q(responded_at__isnull=False)),
        responded_in_time=Count("pk", filter=Q(responded_in_time=True)),
        recovered=Count("pk", filter=Q(recovered_at__isnull=False)),
        recovered_in_time=Count("pk", filter=Q(recovered_in_time=True)),
        major=Count("pk", filter=Q(severity__is_major=True)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
    )
    pairs = rows.filter(responded_at__isnull=False).values_list("reported_at", "responded_at")
    seconds = [(answered - reported).total_seconds() for reported, answered in pairs]
    ratings = list(rows.filter(rating__isnull=False).values_list("rating", flat=True))

    def pct(part, whole):
        return round(100 * part / whole, 1) if whole else None

    figures.update(
        month=month,
        response_pct=pct(figures["responded_in_time"], figures["responded"]),
        recovery_pct=pct(figures["recovered_in_time"], figures["recovered"]),
        median_response_seconds=int(statistics.median(seconds)) if seconds else None,
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
    )
    return figures


def severities() -> QuerySet[IncidentSeverity]:
    return IncidentSeverity.objects.order_by("rank")


def reporter_systems(*, user) -> QuerySet[InformationSystem]:
    org = getattr(user, "organization", None)
    if org is None:
        return InformationSystem.objects.none()
    return (
        InformationSystem.objects.restrict(user)
        .filter(is_active=True, organization__path__startswith=org.path)
        .order_by("name")
    )


def desk_systems(*, user) -> QuerySet[InformationSystem]:
    """Systems a logged call may name (the service checks it belongs to the calling department)."""
    return (
        InformationSystem.objects.restrict(user)
        .filter(is_active=True)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def reporter_resources(*, user, organization=None) -> QuerySet[Resource]:
    """Resources a report may name: the department's own ledger (for a logged call, the caller's)."""
    org = organization or getattr(user, "organization", None)
    if org is None:
        return Resource.objects.none()
    return (
        Resource.objects.restrict(user)
        .filter(organization__path__startswith=org.path)
        .exclude(state="terminated")
        .order_by("code")
    )


def calling_departments() -> QuerySet[Organization]:
    return (
        Organization.objects.filter(is_active=True, kind__in=(OrganizationKind.DEPARTMENT, OrganizationKind.FINANCE))
        .exclude(level=OrganizationLevel.CITY)
        .order_by("path")
    )


def shifts(*, now: datetime | None = None, days: int = 7) -> QuerySet[DutyShift]:
    """The roster from the shift running now to `days` ahead."""
    now = now or timezone.now()
    return (
        DutyShift.objects.filter(ends_at__gt=now, starts_at__lt=now + timedelta(days=days))
        .select_related("team", "primary", "backup")
        .order_by("starts_at", "team__name")
    )


def incident_from_source(*, user, source_key: str) -> Incident | None:
    """The latest incident opened automatically for `source_key` ("reconciliation:12"), if the
    user sees it."""
    return incidents_for(user=user).filter(source_key=source_key).order_by("-reported_at", "-id").first()


def incidents_of_resource(*, user, resource) -> QuerySet[Incident]:
    return incidents_for(user=user).filter(resources=resource)


def incidents_of_system(*, user, system) -> QuerySet[Incident]:
    return incidents_for(user=user).filter(system=system)
