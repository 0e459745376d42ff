"""Reads about emergency plans, drills, follow-up items, major events and protection plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from govcloud.core.actors import actor_roles
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.security.models import (
    DrillFollowUp,
    EmergencyDrill,
    EmergencyPlan,
    EmergencyPlanVersion,
    FollowUpStatus,
    MajorEvent,
    ProtectionPlan,
)
from govcloud.security.selectors.calendar import add_months
from govcloud.systems.models import InformationSystem


def plan_rows() -> QuerySet[EmergencyPlan]:
    return (
        EmergencyPlan.objects.select_related("system", "organization", "current_version", "created_by")
        .annotate(
            last_drill_on=Max("versions__drills__held_on"),
            version_count=Count("versions", distinct=True),
        )
        .order_by("scope", "title", "id")
    )


def plans_for(*, user, action: str = Action.VIEW) -> QuerySet[EmergencyPlan]:
    return plan_rows().restrict(user, action)


def plan_get(*, user, pk, action: str = Action.VIEW) -> EmergencyPlan:
    return get_scoped_or_404(plan_rows(), user, action, pk=pk)


def plan_versions(*, plan: EmergencyPlan) -> QuerySet[EmergencyPlanVersion]:
    return (
        EmergencyPlanVersion.objects.filter(plan=plan)
        .select_related("attachment", "created_by")
        .annotate(drill_count=Count("drills"))
        .order_by("-number")
    )


def plan_version_get(*, user, plan: EmergencyPlan, number: int) -> EmergencyPlanVersion:
    return get_scoped_or_404(
        EmergencyPlanVersion.objects.select_related("plan", "attachment"), user, plan=plan, number=number
    )


def plan_systems(*, user) -> QuerySet[InformationSystem]:
    """Systems the user may write an emergency plan for: a department its own, the provider any."""
    # The provider operates every system (it reads the whole registry); a department changes its own.
    action = Action.VIEW if Role.PROVIDER_OPERATOR in actor_roles(user) else Action.CHANGE
    return (
        InformationSystem.objects.restrict(user, action)
        .filter(classified=False, is_active=True)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def drill_rows() -> QuerySet[EmergencyDrill]:
    return (
        EmergencyDrill.objects.select_related(
            "plan_version", "plan_version__plan", "plan_version__plan__system", "organization", "report", "recorded_by"
        )
        .annotate(open_follow_ups=Count("follow_ups", filter=Q(follow_ups__status=FollowUpStatus.OPEN)))
        .order_by("-held_on", "-id")
    )


def drills_for(*, user, action: str = Action.VIEW) -> QuerySet[EmergencyDrill]:
    return drill_rows().restrict(user, action)


def drill_get(*, user, pk, action: str = Action.VIEW) -> EmergencyDrill:
    return get_scoped_or_404(drill_rows(), user, action, pk=pk)


def drill_follow_ups(*, drill: EmergencyDrill) -> QuerySet[DrillFollowUp]:
    return DrillFollowUp.objects.filter(drill=drill).order_by("due_on", "id")


def follow_up_rows() -> QuerySet[DrillFollowUp]:
    return DrillFollowUp.objects.select_related("drill", "drill__plan_version", "drill__plan_version__plan").order_by(
        "due_on", "id"
    )


def follow_up_get(*, user, pk, action: str = Action.VIEW) -> DrillFollowUp:
    return get_scoped_or_404(follow_up_rows(), user, action, pk=pk)


def follow_ups_for(*, user, action: str = Action.VIEW) -> QuerySet[DrillFollowUp]:
    return follow_up_rows().restrict(user, action)


def drill_versions(*, user) -> QuerySet[EmergencyPlanVersion]:
    """Plan versions a drill may exercise (visible current versions first)."""
    return (
        EmergencyPlanVersion.objects.restrict(user)
        .select_related("plan", "plan__system")
        .order_by("plan__title", "-number")
    )


@dataclass(frozen=True)
class DrillStatus:
    """Art. 17: each plan is drilled at least every Policy.DRILL_INTERVAL_MONTHS months; a plan
    never drilled counts from the day it was written."""

    plan: EmergencyPlan
    last_drill_on: date | None
    due_on: date

    @property
    def is_overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def drill_status(*, plans) -> list[DrillStatus]:
    """The drill status of each plan of `plans` (a queryset from plans_for: no further query)."""
    months = int(policy_value(Policy.DRILL_INTERVAL_MONTHS))
    result = []
    for plan in plans:
        since = plan.last_drill_on or timezone.localtime(plan.created_at).date()
        result.append(DrillStatus(plan=plan, last_drill_on=plan.last_drill_on, due_on=add_months(since, months)))
    return result


def event_rows() -> QuerySet[MajorEvent]:
    return MajorEvent.objects.annotate(plan_count=Count("protection_plans")).order_by("-starts_on", "-id")


def events_for(*, user, action: str = Action.VIEW) -> QuerySet[MajorEvent]:
    return event_rows().restrict(user, action)


def event_get(*, user, pk, action: str = Action.VIEW) -> MajorEvent:
    return get_scoped_or_404(event_rows(), user, action, pk=pk)


def protection_plan_rows() -> QuerySet[ProtectionPlan]:
    return ProtectionPlan.objects.select_related("attachment", "filed_by", "major_event").order_by(
        "-occasion_starts_on", "-id"
    )


def protection_plans_for(*, user, action: str = Action.VIEW) -> QuerySet[ProtectionPlan]:
    return protection_plan_rows().restrict(user, action)


def protection_plan_get(*, user, pk, action: str = Action.VIEW) -> ProtectionPlan:
    return get_scoped_or_404(protection_plan_rows(), user, action, pk=pk)
