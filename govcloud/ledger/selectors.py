"""Reads of the resource ledger; each takes the acting user and goes through the scope (department
users see their own resources and their units'; the center, the provider and finance see all).

Sums, filters and quotas read the denormalized numeric columns, so they are one SQL query each
whatever the number of resources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.expressions import Func, Window
from django.db.models.functions import Coalesce, RowNumber

from govcloud.catalog.models import Quota, QuotaDimension
from govcloud.catalog.selectors import quota_check, quota_limits_for
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceHistory, ResourceState
from govcloud.organizations.models import Organization, OrganizationKind

# What is in use: counted by totals and quotas (a terminated resource is history).
IN_USE = (ResourceState.TESTING, ResourceState.IN_SERVICE, ResourceState.CHANGING)
TOTAL_COLUMNS = ("vcpu", "memory_gb", "disk_gb", "storage_tb", "bandwidth_mbps", "public_addresses")


def resources_for(*, user, action: str = Action.VIEW) -> QuerySet[Resource]:
    return (
        Resource.objects.restrict(user, action)
        .select_related("organization", "system", "catalog_item")
        .order_by("-created_at", "-id")
    )


# What a ledger row shows (jinja2/ledger/resource_rows.html): a page loads these columns and the
# three names only, not the addresses (JSON), the provider's reference or the creator's times:
# each column fetched is converted for every row (issue 19).
ROW_FIELDS = (
    "code",
    "name",
    "kind",
    "spec",
    "state",
    "in_service_at",
    "terminated_at",
    *TOTAL_COLUMNS,
    "os_image",
    "network",
    "organization__name",
    "system__name",
    "catalog_item__name",
)


def for_rows(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    """A list's resources with what their rows show and nothing more."""
    return queryset.select_related(None).select_related("organization", "system", "catalog_item").only(*ROW_FIELDS)


def resource_get(*, user, pk, action: str = Action.VIEW) -> Resource:
    return get_scoped_or_404(
        Resource.objects.select_related("organization", "system", "catalog_item", "origin_application"),
        user,
        action,
        pk=pk,
    )


def history_of(resource: Resource) -> QuerySet[ResourceHistory]:
    """A resource's full history, oldest first, with the application behind each entry."""
    return ResourceHistory.objects.filter(resource=resource).select_related("application").order_by("at", "pk")


def history_for(resources, since: datetime, until: datetime) -> list[ResourceHistory]:
    """For metering: for each resource, the last entry before `since` (its state and spec when the
    window opens) and every entry in [since, until), ordered by resource and time. `resources` is
    a queryset or an iterable of resources or ids. Two queries."""
    if isinstance(resources, QuerySet):
        ids = resources.values("pk")
    else:
        ids = [getattr(r, "pk", r) for r in resources]
    before = (
        ResourceHistory.objects.filter(resource_id__in=ids, at__lt=since)
        .annotate(rank=Window(RowNumber(), partition_by=[F("resource_id")], order_by=[F("at").desc(), F("pk").desc()]))
        .filter(rank=1)
    )
    inside = ResourceHistory.objects.filter(resource_id__in=ids, at__gte=since, at__lt=until)
    entries = list(before) + list(inside)
    entries.sort(key=lambda e: (e.resource_id, e.at, e.pk))
    return entries


# --- Totals ----------------------------------------------------------------------------------------


def _sums() -> dict[str, Any]:
    return {
        "resources": Count("id"),
        **{name: Coalesce(Sum(name), 0, output_field=_output(name)) for name in TOTAL_COLUMNS},
    }


def _output(name: str):
    return DecimalField(max_digits=14, decimal_places=2) if name == "storage_tb" else IntegerField()


def totals_by_department(queryset: QuerySet[Resource]) -> list[dict[str, Any]]:
    """vCPU, memory, disk, storage, bandwidth and public addresses per owning organization of the
    resources in `queryset` (already scoped and filtered): one grouped query."""
    return list(
        queryset.order_by()
        .values("organization_id", "organization__name", "organization__path")
        .annotate(**_sums())
        .order_by("organization__path")
    )


def totals(queryset: QuerySet[Resource]) -> dict[str, Any]:
    """The same sums over the whole queryset: one query."""
    return queryset.order_by().aggregate(**_sums())


def add_up(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The grand total of grouped rows (no query)."""
    total: dict[str, Any] = {"resources": 0, **dict.fromkeys(TOTAL_COLUMNS, 0)}
    for row in rows:
        for key in total:
            total[key] += row[key] or 0
    return total


# --- Quotas ----------------------------------------------------------------------------------------


def usage_of(organization: Organization) -> dict[str, Any]:
    """What the organization and its units have in use (resources not terminated)."""
    return totals(Resource.objects.filter(organization__path__startswith=organization.path, state__in=IN_USE))


def _usage_by_paths(paths: list[str]) -> dict[str, dict[str, Decimal]]:
    """{path: usage of that subtree} for a few organizations, in one query (conditional sums)."""
    if not paths:
        return {}
    aggregates = {}
    for i, path in enumerate(paths):
        for dimension in QuotaDimension:
            aggregates[f"u{i}_{dimension.value}"] = Coalesce(
                Sum(
                    Case(
                        When(organization__path__startswith=path, then=F(dimension.value)),
                        default=0,
                        output_field=_output(dimension.value),
                    )
                ),
                0,
                output_field=_output(dimension.value),
            )
    row = (
        Resource.objects.filter(state__in=IN_USE)
        .filter(Q(*[Q(organization__path__startswith=p) for p in paths], _connector=Q.OR))
        .aggregate(**aggregates)
    )
    return {
        path: {d.value: Decimal(str(row[f"u{i}_{d.value}"] or 0)) for d in QuotaDimension}
        for i, path in enumerate(paths)
    }


def quota_excess(*, organization: Organization, additional_units: Mapping[str, Any]) -> list[str]:
    """The quota limits that `additional_units` would exceed, on top of what the organization (and
    everything under each quota's department) has in use, as readable sentences; empty when within
    every limit or without a quota. The organization's own quota and its parents' apply (a unit
    uses its department's quota too). Build `additional_units` with `catalog.specs.quota_units`
    (and `add_units`); keys are the quota dimensions (vcpu, memory_gb, disk_gb, storage_tb,
    public_addresses). Two queries."""
    unknown = set(additional_units) - {d.value for d in QuotaDimension} - {"bandwidth_mbps"}
    if unknown:
        raise TypeError(f"unknown quota units: {sorted(unknown)}")
    quotas = [q for q in quota_limits_for(organization) if q.limits()]
    if not quotas:
        return []
    usage = _usage_by_paths([q.organization.path for q in quotas])
    messages: list[str] = []
    for quota in quotas:
        messages += quota_check(quota=quota, usage=usage[quota.organization.path], additional=additional_units)
    return messages


def _subtree_sum(column: str, path: str = "path"):
    """SUM of a column over the in-use resources of the row's organization subtree (a correlated
    subquery; SUM without GROUP BY). `path` leads from the row to the organization's path."""
    resources = Resource.objects.filter(organization__path__startswith=OuterRef(path), state__in=IN_USE).order_by()
    total = resources.annotate(total=Func(F(column), function="SUM")).values("total")[:1]
    return Coalesce(Subquery(total, output_field=_output(column)), 0, output_field=_output(column))


@dataclass
class QuotaRow:
    organization: Organization
    quota: Quota | None
    usage: dict[str, Any] = field(default_factory=dict)

    def cells(self) -> list[dict[str, Any]]:
        """Per dimension: usage, limit, percent used and whether it is over."""
        rows = []
        for dimension in QuotaDimension:
            used = self.usage.get(dimension.value) or 0
            limit = getattr(self.quota, dimension.value) if self.quota else None
            percent = int(Decimal(str(used)) * 100 / Decimal(str(limit))) if limit else None
            rows.append(
                {
                    "dimension": dimension.value,
                    "label": dimension.label,
                    "used": used,
                    "limit": limit,
                    "percent": percent,
                    "over": limit is not None and Decimal(str(used)) > Decimal(str(limit)),
                }
            )
        return rows


def quota_organizations_for(*, user) -> QuerySet[Organization]:
    """Departments (and units) the user may see, each with its quota and what its subtree has in
    use: one query per page, whatever the number of resources."""
    usage = {f"used_{d.value}": _subtree_sum(d.value) for d in QuotaDimension}
    return (
        Organization.objects.restrict(user)
        .filter(kind=OrganizationKind.DEPARTMENT, depth__gt=0)
        .select_related("quota")
        .annotate(**usage)
        .order_by("path")
    )


def quota_rows(organizations: Iterable[Organization]) -> list[QuotaRow]:
    rows = []
    for org in organizations:
        quota = getattr(org, "quota", None) if _has_quota(org) else None
        rows.append(
            QuotaRow(
                organization=org,
                quota=quota,
                usage={d.value: getattr(org, f"used_{d.value}", 0) for d in QuotaDimension},
            )
        )
    return rows


def _has_quota(org: Organization) -> bool:
    try:
        return org.quota is not None
    except Quota.DoesNotExist:
        return False


def quotas_with_usage(queryset: QuerySet[Quota]) -> QuerySet[Quota]:
    """Quotas (already scoped) with what each department's subtree has in use."""
    usage = {f"used_{d.value}": _subtree_sum(d.value, "organization__path") for d in QuotaDimension}
    return queryset.select_related("organization").annotate(**usage).order_by("organization__path")
