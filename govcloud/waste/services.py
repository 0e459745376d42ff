"""Rightsizing advice (规格优化建议, Art. 10: the center or the provider advises the department how to
optimize; Art. 19: no waste).

- `advice_generate` (scheduled daily, and on demand from the pages) reads the daily rollups of the
  window — one grouped query for every resource's CPU and memory peaks and days of data, one for the
  daily series — and for each host or database in service with at least the minimum days of data
  computes the recommended vCPU and memory (`sizing`), priced at the price list in effect. A
  resource whose recommendation differs from what it has gets a new open advice; its previous open
  advice is superseded (also when it no longer needs one). A recommendation the department
  dismissed is not made again until the numbers change; a resource already in an application in
  progress is left alone.
- `advice_accept`: one click drafts a change application through the applications service, its
  item the resource with the recommended spec; the page then opens its edit form.
- `advice_dismiss`: the department says why not (audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.applications.models import FINAL_STATES, Application, ApplicationItem, ApplicationKind, Environment
from govcloud.applications.services import ItemInput, application_create
from govcloud.audit.services import audit_record
from govcloud.catalog.models import Dimension, ResourceKind
from govcloud.catalog.selectors import monthly_estimate, price_list_on, prices_of
from govcloud.core.actors import Actor, platform_actor_name
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceState
from govcloud.monitoring.models import Metric, Period, Rollup
from govcloud.monitoring.services import day_start
from govcloud.waste.models import ADVICE_DECIDERS, ADVICE_GENERATORS, AdviceState, RightsizingAdvice
from govcloud.waste.sizing import need, offered_sizes, round_up

# Rightsizing reads the computing resources: a host's or a database's vCPU and memory.
SIZED_KINDS = (ResourceKind.HOST, ResourceKind.DATABASE)
SIZED_METRICS = (Metric.CPU_PERCENT, Metric.MEMORY_PERCENT)
MAX_REASON = 2000


# The platform's own steps (SYSTEM) have always been recorded here as "Platform" (平台), not
# core's "System": hence platform_actor_name(actor).


@dataclass
class Recommendation:
    vcpu: int
    memory_gb: int
    current_monthly: Decimal
    recommended_monthly: Decimal

    @property
    def saving(self) -> Decimal:
        return self.current_monthly - self.recommended_monthly


def recommend(resource: Resource, cpu_peak: float, memory_peak: float, headroom: int, prices) -> Recommendation | None:
    """The offered vCPU and memory that cover the peaks with the headroom, and what the current and
    the recommended spec cost per month (`catalog.selectors.monthly_estimate`, fen-exact). None when
    the catalog item offers no size for a dimension."""
    item = resource.catalog_item
    vcpu_sizes, vcpu_range = offered_sizes(item, Dimension.VCPU)
    memory_sizes, memory_range = offered_sizes(item, Dimension.MEMORY_GB)
    vcpu = round_up(need(resource.vcpu, cpu_peak, headroom), vcpu_sizes, vcpu_range)
    memory = round_up(need(resource.memory_gb, memory_peak, headroom), memory_sizes, memory_range)
    if vcpu is None or memory is None:
        return None
    spec = dict(resource.spec or {})
    new_spec = {**spec, Dimension.VCPU.value: vcpu, Dimension.MEMORY_GB.value: memory}
    return Recommendation(
        vcpu=vcpu,
        memory_gb=memory,
        current_monthly=monthly_estimate(item, spec, prices=prices),
        recommended_monthly=monthly_estimate(item, new_spec, prices=prices),
    )


@dataclass
class GenerateResult:
    created: list[RightsizingAdvice] = field(default_factory=list)
    superseded: int = 0
    skipped_little_data: int = 0


def _in_progress(resource_ids: list[int]) -> set[int]:
    """Resources already named by an application in progress (a change or termination asked for)."""
    return set(
        ApplicationItem.objects.filter(target_resource_id__in=resource_ids)
        .exclude(application__state__in=FINAL_STATES)
        .values_list("target_resource_id", flat=True)
    )


def advice_generate(
    *, actor: Actor, organization=None, resource_ids: list[int] | None = None, now: datetime | None = None
) -> GenerateResult:
    """Compute the advice of every host and database in service (or of one department's, or of the
    given resources). A fixed number of queries whatever the number of resources."""
    require_role(actor, ADVICE_GENERATORS)
    now = now or timezone.now()
    window = int(policy_value(Policy.RIGHTSIZING_WINDOW_DAYS))
    minimum = int(policy_value(Policy.RIGHTSIZING_MIN_DAYS))
    headroom = int(policy_value(Policy.RIGHTSIZING_HEADROOM_PERCENT))
    # Whole days only: today's rollup is still growing.
    end = day_start(now)
    start = day_start(end - timedelta(days=window) + timedelta(hours=12))
    resources = Resource.objects.restrict(actor, Action.CHANGE).filter(
        state=ResourceState.IN_SERVICE, kind__in=SIZED_KINDS
    )
    if organization is not None:
        resources = resources.filter(organization__path__startswith=organization.path)
    if resource_ids is not None:
        resources = resources.filter(pk__in=resource_ids)
    rollups = Rollup.objects.filter(
        resource__in=resources.order_by().values("pk"),
        period=Period.DAY,
        metric__in=SIZED_METRICS,
        start__gte=start,
        start__lt=end,
    )
    peaks: dict[int, dict[str, tuple[float, int]]] = {}
    for row in rollups.order_by().values("resource_id", "metric").annotate(peak=Max("max"), days=Count("pk")):
        peaks.setdefault(row["resource_id"], {})[row["metric"]] = (row["peak"], row["days"])
    result = GenerateResult()
    eligible: dict[int, tuple[float, float, int]] = {}
    for resource_id, metrics in peaks.items():
        if len(metrics) < len(SIZED_METRICS):
            result.skipped_little_data += 1
            continue
        days = min(days for _peak, days in metrics.values())
        if days < minimum:
            result.skipped_little_data += 1
            continue
        eligible[resource_id] = (metrics[Metric.CPU_PERCENT][0], metrics[Metric.MEMORY_PERCENT][0], days)

    ids = list(eligible)
    busy = _in_progress(ids)
    by_id = {
        r.pk: r
        for r in Resource.objects.filter(pk__in=[i for i in ids if i not in busy])
        .select_related("catalog_item")
        .prefetch_related("catalog_item__options", "catalog_item__ranges")
    }
    # The latest decided advice per resource: a dismissed recommendation is not made again as is.
    dismissed = {
        (a.resource_id, a.recommended_vcpu, a.recommended_memory_gb)
        for a in RightsizingAdvice.objects.filter(resource_id__in=list(by_id), state=AdviceState.DISMISSED)
    }
    series: dict[int, dict[str, list]] = {}
    for row in (
        rollups.filter(resource_id__in=list(by_id)).order_by("start").values("resource_id", "metric", "start", "max")
    ):
        day = timezone.localtime(row["start"]).date().isoformat()
        series.setdefault(row["resource_id"], {}).setdefault(day, [day, None, None])[
            1 if row["metric"] == Metric.CPU_PERCENT else 2
        ] = round(row["max"], 2)
    price_list = price_list_on(timezone.localtime(now).date())
    prices = prices_of(price_list)

    fresh: list[RightsizingAdvice] = []
    for resource_id, resource in by_id.items():
        cpu_peak, memory_peak, days = eligible[resource_id]
        rec = recommend(resource, cpu_peak, memory_peak, headroom, prices)
        if rec is None or (rec.vcpu, rec.memory_gb) == (resource.vcpu, resource.memory_gb):
            continue
        if (resource_id, rec.vcpu, rec.memory_gb) in dismissed:
            continue
        fresh.append(
            RightsizingAdvice(
                resource=resource,
                computed_at=now,
                window_days=window,
                days=days,
                cpu_peak=round(cpu_peak, 2),
                memory_peak=round(memory_peak, 2),
                headroom_percent=headroom,
                current_vcpu=resource.vcpu,
                current_memory_gb=resource.memory_gb,
                recommended_vcpu=rec.vcpu,
                recommended_memory_gb=rec.memory_gb,
                current_monthly=rec.current_monthly,
                recommended_monthly=rec.recommended_monthly,
                monthly_saving=rec.saving,
                price_list=price_list,
                series=list(series.get(resource_id, {}).values()),
            )
        )
    with transaction.atomic():
        # Every open advice of the resources looked at is replaced (or simply ends: the resource no
        # longer needs one, or has too little data left).
        result.superseded = (
            RightsizingAdvice.objects.filter(resource__in=resources.order_by().values("pk"), state=AdviceState.OPEN)
            .exclude(resource_id__in=busy)
            .update(state=AdviceState.SUPERSEDED)
        )
        result.created = RightsizingAdvice.objects.bulk_create(fresh)
        audit_record(
            actor=actor,
            action="rightsizing.generate",
            object_type="waste.rightsizingadvice",
            object_repr=_("Rightsizing advice"),
            message=_("%(created)d new, %(superseded)d superseded, %(little)d with too little data")
            % {"created": len(fresh), "superseded": result.superseded, "little": result.skipped_little_data},
            subject_organization_path=organization.path if organization is not None else None,
        )
    return result


def _lock(actor: Actor, advice: RightsizingAdvice) -> RightsizingAdvice:
    """The advice, locked, if the actor may act on it (404 otherwise, like a missing one)."""
    require_role(actor, ADVICE_DECIDERS)
    row = get_scoped_or_404(
        RightsizingAdvice.objects.select_for_update(of=("self",)).select_related(
            "resource__organization", "resource__system", "resource__origin_application"
        ),
        actor,
        Action.CHANGE,
        pk=advice.pk,
    )
    if row.state != AdviceState.OPEN:
        raise StateConflict(
            _("The advice is “%(state)s”: it can no longer be accepted or dismissed.")
            % {"state": AdviceState(row.state).label}
        )
    return row


def advice_accept(*, actor: Actor, advice: RightsizingAdvice) -> Application:
    """One click: a DRAFT change application for the resource with the recommended vCPU and memory,
    which the department reviews, submits and signs as any other (Art. 8-9)."""
    with transaction.atomic():
        row = _lock(actor, advice)
        resource = row.resource
        if resource.system_id is None:
            raise ValidationError(
                _(
                    "%(code)s is not linked to an information system: "
                    "link it in the ledger before applying for a change."
                )
                % {"code": resource.code}
            )
        origin = resource.origin_application
        phone = (getattr(actor, "phone", "") or "").strip() or (origin.contact_phone if origin else "")
        application = application_create(
            actor=actor,
            kind=ApplicationKind.CHANGE,
            items=[
                ItemInput(
                    target_resource=resource,
                    spec={
                        Dimension.VCPU.value: row.recommended_vcpu,
                        Dimension.MEMORY_GB.value: row.recommended_memory_gb,
                    },
                )
            ],
            system=resource.system,
            purpose=_(
                "Rightsizing advice: %(code)s used at most %(cpu)s %% CPU and %(memory)s %% memory over %(days)d days; "
                "%(vcpu_from)d→%(vcpu_to)d vCPU, %(mem_from)d→%(mem_to)d GB memory, saving %(saving)s CNY a month."
            )
            % {
                "code": resource.code,
                "cpu": row.cpu_peak,
                "memory": row.memory_peak,
                "days": row.days,
                "vcpu_from": row.current_vcpu,
                "vcpu_to": row.recommended_vcpu,
                "mem_from": row.current_memory_gb,
                "mem_to": row.recommended_memory_gb,
                "saving": row.monthly_saving,
            },
            environment=origin.environment if origin else Environment.PRODUCTION,
            contact_name=platform_actor_name(actor)[:60],
            contact_phone=phone,
        )
        row.state = AdviceState.ACCEPTED
        row.application = application
        row.decided_at = timezone.now()
        row.decided_by_name = platform_actor_name(actor)
        row.save(update_fields=["state", "application", "decided_at", "decided_by_name"])
        audit_record(
            actor=actor,
            action="rightsizing.accept",
            target=row,
            message=_("Change application %(number)s drafted") % {"number": application.number},
            changes={"state": [AdviceState.OPEN, AdviceState.ACCEPTED], "application": [None, application.number]},
            subject_organization_path=resource.organization.path,
        )
    return application


def advice_dismiss(*, actor: Actor, advice: RightsizingAdvice, reason: str) -> RightsizingAdvice:
    """The department does not follow the advice and says why (the center reads the reasons)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the advice is dismissed.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": MAX_REASON}})
    with transaction.atomic():
        row = _lock(actor, advice)
        row.state = AdviceState.DISMISSED
        row.dismiss_reason = reason
        row.decided_at = timezone.now()
        row.decided_by_name = platform_actor_name(actor)
        row.save(update_fields=["state", "dismiss_reason", "decided_at", "decided_by_name"])
        audit_record(
            actor=actor,
            action="rightsizing.dismiss",
            target=row,
            message=reason[:500],
            changes={"state": [AdviceState.OPEN, AdviceState.DISMISSED]},
            subject_organization_path=row.resource.organization.path,
        )
    return row
