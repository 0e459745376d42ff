"""Writes to the catalog, the price list and the quotas (Annex 1, Art. 5, 7, 19).

The catalog is data the center edits (new OS images, new database engines, new sizes); an item or a
value is retired, never deleted, so resources that use it keep it. Price list versions are edited
only until they take effect. Every function is keyword-only, checks the role, runs in one
transaction and writes one audit event (per price for `price_set`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.catalog.models import (
    CatalogItem,
    Dimension,
    DiskType,
    NetworkKind,
    Price,
    PriceList,
    PriceUnit,
    Quota,
    QuotaDimension,
    ResourceKind,
    SpecOption,
    SpecRange,
)
from govcloud.catalog.seed import seed_annex1
from govcloud.catalog.selectors import missing_prices, price_list_on
from govcloud.catalog.specs import CHOICE_ONLY_DIMENSIONS, INTEGER_DIMENSIONS, KIND_DIMENSIONS
from govcloud.core.actors import SYSTEM, Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles
from govcloud.organizations.models import Organization, OrganizationKind

# Art. 5: the center plans and allocates the platform; its administrator keeps the catalog, the
# prices and the quotas. (SYSTEM passes: the seed command and the demo.)
CATALOG_EDITORS = frozenset({Role.CENTER_ADMIN})

ITEM_FIELDS = ("kind", "code", "name", "description", "engine", "network", "sort", "retired_at")
OPTION_FIELDS = ("dimension", "value", "label", "sort", "retired_at")
RANGE_FIELDS = ("dimension", "minimum", "maximum", "step", "required")
PRICE_LIST_FIELDS = ("name", "effective_from", "note", "published_at", "published_by_name")
QUOTA_FIELDS = tuple(d.value for d in QuotaDimension) + ("note",)


# --- The seed --------------------------------------------------------------------------------------


def catalog_seed(*, actor: Actor) -> dict[str, int]:
    """Load Annex 1 (idempotent: what exists is left as the center edited it). Used by the demo and
    by `manage.py bootstrap`. Returns how many items, values and ranges it added."""
    require_role(actor, CATALOG_EDITORS)
    models = (CatalogItem, SpecOption, SpecRange)
    with transaction.atomic():
        before = [m.objects.count() for m in models]
        seed_annex1()
        added = [m.objects.count() - b for m, b in zip(models, before, strict=True)]
        counts = {"items": added[0], "options": added[1], "ranges": added[2]}
        if any(added):
            audit_record(
                actor=actor,
                action="catalog.seed",
                object_type="catalog.catalogitem",
                object_repr="Annex 1",
                changes={k: [0, v] for k, v in counts.items() if v},
                message=_("Loaded the Annex 1 catalog: %(items)d items, %(options)d values, %(ranges)d ranges.")
                % counts,
            )
    return counts


# --- Items -----------------------------------------------------------------------------------------


def _check_item(item: CatalogItem) -> None:
    if item.kind == ResourceKind.NETWORK_ACCESS and not item.network:
        raise ValidationError({"network": _("Choose the network this access item connects to.")})
    if item.kind != ResourceKind.NETWORK_ACCESS:
        item.network = ""
    if item.kind != ResourceKind.DATABASE:
        item.engine = ""
    elif not item.engine.strip():
        raise ValidationError({"engine": _("Name the database engine and version (for example “DM8”).")})
    item.full_clean(exclude=["retired_at"])


def item_create(
    *,
    actor: Actor,
    kind: str,
    code: str,
    name: str,
    description: str = "",
    engine: str = "",
    network: str = "",
    sort: int = 100,
) -> CatalogItem:
    """A new catalog item (a new database engine, another network). Add its values and ranges next;
    it can be chosen as soon as its fields are defined."""
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        if CatalogItem.objects.filter(code=code).exists():
            raise ValidationError({"code": _("An item with this code exists already.")})
        item = CatalogItem(
            kind=kind, code=code, name=name, description=description, engine=engine, network=network, sort=sort
        )
        _check_item(item)
        item.save()
        audit_record(actor=actor, action="catalog_item.create", target=item, changes=created(item, ITEM_FIELDS))
    return item


def item_update(*, actor: Actor, item: CatalogItem, **fields: Any) -> CatalogItem:
    """Change an item's name, description, engine, network or order. The kind and the code stay:
    specs, prices and resources refer to them."""
    require_role(actor, CATALOG_EDITORS)
    unknown = set(fields) - {"name", "description", "engine", "network", "sort"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item, ITEM_FIELDS)
        for key, value in fields.items():
            setattr(item, key, value)
        _check_item(item)
        item.save()
        changes = diff(before, snapshot(item, ITEM_FIELDS))
        if changes:
            audit_record(actor=actor, action="catalog_item.update", target=item, changes=changes)
    return item


def item_retire(*, actor: Actor, item: CatalogItem, note: str = "") -> CatalogItem:
    """No new application may choose the item; resources that have it keep it."""
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        if item.retired_at is not None:
            return item
        item.retired_at = timezone.now()
        item.save(update_fields=["retired_at", "updated_at"])
        audit_record(
            actor=actor,
            action="catalog_item.retire",
            target=item,
            changes={"retired_at": [None, item.retired_at]},
            message=note,
        )
    return item


def item_reinstate(*, actor: Actor, item: CatalogItem) -> CatalogItem:
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        if item.retired_at is None:
            return item
        before = item.retired_at
        item.retired_at = None
        item.save(update_fields=["retired_at", "updated_at"])
        audit_record(actor=actor, action="catalog_item.reinstate", target=item, changes={"retired_at": [before, None]})
    return item


# --- Allowed values and ranges ---------------------------------------------------------------------


def _check_dimension(item: CatalogItem, dimension: str) -> None:
    if dimension not in Dimension.values:
        raise ValidationError({"dimension": _("Unknown field “%(field)s”.") % {"field": dimension}})
    allowed = KIND_DIMENSIONS.get(item.kind, frozenset())
    if dimension not in allowed:
        raise ValidationError(
            {
                "dimension": _("A %(kind)s has no field “%(field)s”; it has: %(allowed)s.")
                % {
                    "kind": ResourceKind(item.kind).label,
                    "field": Dimension(dimension).label,
                    "allowed": ", ".join(str(Dimension(d).label) for d in Dimension.values if d in allowed),
                }
            }
        )


def _clean_option_value(dimension: str, value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise ValidationError({"value": _("Enter a value.")})
    if dimension in INTEGER_DIMENSIONS:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal(-1)
        if number <= 0 or number != number.to_integral_value():
            raise ValidationError(
                {"value": _("%(field)s takes whole numbers above 0.") % {"field": Dimension(dimension).label}}
            )
        return str(int(number))
    choices = {Dimension.DISK_TYPE: DiskType, Dimension.NETWORK: NetworkKind}.get(dimension)
    if choices is not None and text not in choices.values:
        raise ValidationError({"value": _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(choices.values)}})
    if len(text) > 60:
        raise ValidationError({"value": _("At most 60 characters.")})
    return text


def option_add(
    *, actor: Actor, item: CatalogItem, dimension: str, value: Any, label: str = "", sort: int | None = None
) -> SpecOption:
    """Offer one more value (an OS image, a memory size). A value retired earlier is reinstated."""
    require_role(actor, CATALOG_EDITORS)
    _check_dimension(item, dimension)
    value = _clean_option_value(dimension, value)
    with transaction.atomic():
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        if item.ranges.filter(dimension=dimension).exists():
            raise ValidationError(
                {
                    "dimension": _("%(field)s is a range on this item; change the range instead.")
                    % {"field": Dimension(dimension).label}
                }
            )
        option = SpecOption.objects.filter(item=item, dimension=dimension, value=value).first()
        if option is not None:
            if option.retired_at is None:
                raise ValidationError({"value": _("%(value)s is offered already.") % {"value": value}})
            return _option_set_retired(actor=actor, option=option, retired=False)
        if sort is None:
            last = item.options.filter(dimension=dimension).aggregate(m=Max("sort"))["m"]
            sort = 0 if last is None else last + 1
        option = SpecOption.objects.create(item=item, dimension=dimension, value=value, label=label.strip(), sort=sort)
        audit_record(
            actor=actor,
            action="catalog_option.add",
            target=option,
            object_repr=f"{item.name}: {option}",
            changes=created(option, OPTION_FIELDS),
        )
    return option


def _option_set_retired(*, actor: Actor, option: SpecOption, retired: bool) -> SpecOption:
    option = SpecOption.objects.select_for_update().select_related("item").get(pk=option.pk)
    if (option.retired_at is not None) == retired:
        return option
    before = option.retired_at
    if retired:
        others = option.item.options.filter(dimension=option.dimension, retired_at__isnull=True).exclude(pk=option.pk)
        if not others.exists():
            raise ValidationError(
                _("%(value)s is the last value offered for %(field)s; retire the item instead.")
                % {"value": option, "field": Dimension(option.dimension).label}
            )
    option.retired_at = timezone.now() if retired else None
    option.save(update_fields=["retired_at"])
    audit_record(
        actor=actor,
        action="catalog_option.retire" if retired else "catalog_option.reinstate",
        target=option,
        object_repr=f"{option.item.name}: {option}",
        changes={"retired_at": [before, option.retired_at]},
    )
    return option


def option_retire(*, actor: Actor, option: SpecOption) -> SpecOption:
    """New applications can no longer choose the value; resources that have it keep it."""
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        return _option_set_retired(actor=actor, option=option, retired=True)


def option_reinstate(*, actor: Actor, option: SpecOption) -> SpecOption:
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        return _option_set_retired(actor=actor, option=option, retired=False)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Enter a number.")})
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


def range_set(
    *,
    actor: Actor,
    item: CatalogItem,
    dimension: str,
    minimum: Any,
    maximum: Any,
    step: Any = 1,
    required: bool = True,
) -> SpecRange:
    """Set (or change) the allowed range of a numeric field: a disk size, storage, bandwidth."""
    require_role(actor, CATALOG_EDITORS)
    _check_dimension(item, dimension)
    if dimension in CHOICE_ONLY_DIMENSIONS:
        raise ValidationError(
            {"dimension": _("%(field)s takes named values, not a range.") % {"field": Dimension(dimension).label}}
        )
    low, high, step = _decimal(minimum, "minimum"), _decimal(maximum, "maximum"), _decimal(step, "step")
    if low < 0:
        raise ValidationError({"minimum": _("The minimum cannot be negative.")})
    if high < low:
        raise ValidationError({"maximum": _("The maximum must not be below the minimum.")})
    if step <= 0:
        raise ValidationError({"step": _("The step must be above 0.")})
    for field, number in (("minimum", low), ("maximum", high), ("step", step)):
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError({field: _("At most two decimal places.")})
        if dimension in INTEGER_DIMENSIONS and number != number.to_integral_value():
            raise ValidationError({field: _("%(field)s takes whole numbers.") % {"field": Dimension(dimension).label}})
    with transaction.atomic():
        item = CatalogItem.objects.select_for_update().get(pk=item.pk)
        if item.options.filter(dimension=dimension).exists():
            raise ValidationError(
                {
                    "dimension": _("%(field)s is a list of values on this item; add or retire values instead.")
                    % {"field": Dimension(dimension).label}
                }
            )
        rng = SpecRange.objects.filter(item=item, dimension=dimension).first()
        before = snapshot(rng, RANGE_FIELDS) if rng else {}
        if rng is None:
            rng = SpecRange(item=item, dimension=dimension)
        rng.minimum, rng.maximum, rng.step, rng.required = low, high, step, bool(required)
        rng.save()
        changes = diff(before, snapshot(rng, RANGE_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action="catalog_range.set",
                target=rng,
                object_repr=f"{item.name}: {Dimension(dimension).label}",
                changes=changes,
            )
    return rng


# --- Price lists -----------------------------------------------------------------------------------


def _check_effective_from(day: date, *, price_list: PriceList | None = None) -> None:
    """Today or later — except for the very first rate card, recorded when the platform already
    charged those prices before GovCloud: with no version published yet, no statement was ever
    priced, so an earlier start rewrites nothing."""
    if day >= timezone.localdate():
        return
    published = PriceList.objects.filter(published_at__isnull=False)
    if price_list is not None:
        published = published.exclude(pk=price_list.pk)
    if published.exists():
        raise ValidationError({"effective_from": _("A price list takes effect today or later, never in the past.")})


def _lock_editable(price_list: PriceList) -> PriceList:
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.in_effect_by(timezone.localdate()):
        raise ValidationError(
            _("“%(name)s” is in effect since %(day)s and is never edited; draft a new version instead.")
            % {"name": price_list.name, "day": price_list.effective_from}
        )
    return price_list


def price_list_create_draft(*, actor: Actor, name: str, effective_from: date, note: str = "") -> PriceList:
    """A new version, starting as a copy of the prices in effect today (or of the latest published
    version when none is in effect yet), to edit and publish."""
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        _check_effective_from(effective_from)
        if PriceList.objects.filter(effective_from=effective_from).exists():
            raise ValidationError({"effective_from": _("Another version takes effect on that day already.")})
        source = price_list_on() or (
            PriceList.objects.filter(published_at__isnull=False).order_by("-effective_from").first()
        )
        price_list = PriceList.objects.create(name=name, effective_from=effective_from, note=note)
        if source is not None:
            Price.objects.bulk_create(
                Price(price_list=price_list, unit=p.unit, item_id=p.item_id, amount=p.amount)
                for p in source.prices.all()
            )
        audit_record(
            actor=actor,
            action="price_list.create",
            target=price_list,
            changes=created(price_list, ("name", "effective_from", "note")),
            message=_("Copied from “%(name)s”.") % {"name": source.name} if source else "",
        )
    return price_list


def price_list_update(*, actor: Actor, price_list: PriceList, **fields: Any) -> PriceList:
    """Rename, re-date or annotate a version that is not in effect yet."""
    require_role(actor, CATALOG_EDITORS)
    unknown = set(fields) - {"name", "effective_from", "note"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        price_list = _lock_editable(price_list)
        if "effective_from" in fields:
            _check_effective_from(fields["effective_from"], price_list=price_list)
        before = snapshot(price_list, PRICE_LIST_FIELDS)
        for key, value in fields.items():
            setattr(price_list, key, value)
        if PriceList.objects.filter(effective_from=price_list.effective_from).exclude(pk=price_list.pk).exists():
            raise ValidationError({"effective_from": _("Another version takes effect on that day already.")})
        price_list.save()
        changes = diff(before, snapshot(price_list, PRICE_LIST_FIELDS))
        if changes:
            audit_record(actor=actor, action="price_list.update", target=price_list, changes=changes)
    return price_list


def _clean_amount(amount: Any) -> Decimal:
    number = _decimal(amount, "amount")
    if number < 0:
        raise ValidationError({"amount": _("A price cannot be negative.")})
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError({"amount": _("At most four decimal places.")})
    if number >= Decimal("1e8"):
        raise ValidationError({"amount": _("The amount is too large.")})
    return number


def price_set(*, actor: Actor, price_list: PriceList, unit: str, amount: Any, item: CatalogItem | None = None) -> Price:
    """Set one unit's price (per database engine for database instances) on a version that is not
    in effect yet; a version in effect is refused."""
    require_role(actor, CATALOG_EDITORS)
    if unit not in PriceUnit.values:
        raise ValidationError({"unit": _("Unknown price unit “%(unit)s”.") % {"unit": unit}})
    if unit == PriceUnit.DATABASE_INSTANCE_MONTH:
        if item is None or item.kind != ResourceKind.DATABASE:
            raise ValidationError({"item": _("A database instance price names its database engine.")})
    elif unit == PriceUnit.SECURITY_SERVICE_MONTH:
        if item is None or item.kind != ResourceKind.SECURITY:
            raise ValidationError({"item": _("A security service price names its security service.")})
    elif item is not None:
        raise ValidationError({"item": _("Only database instance and security service prices name a catalog item.")})
    amount = _clean_amount(amount)
    with transaction.atomic():
        price_list = _lock_editable(price_list)
        price = Price.objects.filter(price_list=price_list, unit=unit, item=item).first()
        before = price.amount if price else None
        if price is None:
            price = Price.objects.create(price_list=price_list, unit=unit, item=item, amount=amount)
        elif price.amount != amount:
            price.amount = amount
            price.save(update_fields=["amount"])
        else:
            return price
        label = PriceUnit(unit).label
        audit_record(
            actor=actor,
            action="price.set",
            target=price_list,
            object_repr=f"{price_list}: {label}{' ' + item.name if item else ''}",
            changes={"amount": [before, amount]},
        )
    return price


def price_list_publish(*, actor: Actor, price_list: PriceList) -> PriceList:
    """Publish a version from its effective date (today or later). Every unit must be priced, and
    every database engine that can still be chosen."""
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if price_list.published_at is not None:
            raise ValidationError(_("“%(name)s” is published already.") % {"name": price_list.name})
        _check_effective_from(price_list.effective_from, price_list=price_list)
        missing = missing_prices(price_list)
        if missing:
            raise ValidationError(
                _("Price every unit before publishing; missing: %(missing)s.") % {"missing": "; ".join(missing)}
            )
        price_list.published_at = timezone.now()
        # SYSTEM's username, as price lists have always stored it (the `actor` filter shows it as 系统).
        price_list.published_by_name = actor_name(actor, system_name=SYSTEM.username)
        price_list.save(update_fields=["published_at", "published_by_name", "updated_at"])
        audit_record(
            actor=actor,
            action="price_list.publish",
            target=price_list,
            changes={"published_at": [None, price_list.published_at]},
        )
        # Art. 19: finance budgets by platform usage; departments plan their spending.
        notify_roles(
            roles={Role.FINANCE_VIEWER, Role.DEPARTMENT_HEAD, Role.CENTER_ADMIN, Role.CENTER_REVIEWER},
            kind="price_list.published",
            title=_("New price list from %(day)s: %(name)s")
            % {"day": price_list.effective_from, "name": price_list.name},
            body=price_list.note,
            link=reverse("catalog:price_list_detail", kwargs={"pk": price_list.pk}),
            severity=Severity.INFO,
            dedupe_key=f"price_list.published:{price_list.pk}",
        )
    return price_list


def price_list_discard(*, actor: Actor, price_list: PriceList) -> None:
    """Delete a draft that was never published (a published version is history)."""
    require_role(actor, CATALOG_EDITORS)
    with transaction.atomic():
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if price_list.published_at is not None:
            raise ValidationError(_("A published version is never deleted."))
        audit_record(
            actor=actor,
            action="price_list.discard",
            target=price_list,
            changes=diff(snapshot(price_list, ("name", "effective_from")), {}),
        )
        price_list.delete()


# --- Quotas ----------------------------------------------------------------------------------------


def quota_set(
    *,
    actor: Actor,
    organization: Organization,
    vcpu: int | None = None,
    memory_gb: int | None = None,
    disk_gb: int | None = None,
    storage_tb: Decimal | None = None,
    public_addresses: int | None = None,
    note: str = "",
) -> Quota:
    """Set a department's limits (empty: no limit on that). They cover its units too (Art. 4)."""
    require_role(actor, CATALOG_EDITORS)
    if organization.kind != OrganizationKind.DEPARTMENT:
        raise ValidationError({"organization": _("Quotas are set for departments and their units.")})
    values = {
        "vcpu": vcpu,
        "memory_gb": memory_gb,
        "disk_gb": disk_gb,
        "storage_tb": storage_tb,
        "public_addresses": public_addresses,
    }
    for key, value in values.items():
        if value is not None and Decimal(str(value)) < 0:
            raise ValidationError({key: _("A limit cannot be negative.")})
    with transaction.atomic():
        quota = Quota.objects.select_for_update().filter(organization=organization).first()
        before = snapshot(quota, QUOTA_FIELDS) if quota else {}
        if quota is None:
            quota = Quota(organization=organization)
        for key, value in values.items():
            setattr(quota, key, value)
        quota.note = note
        quota.full_clean(exclude=["organization"])
        try:
            with transaction.atomic():
                quota.save()
        except IntegrityError:
            raise ValidationError(_("Someone set this quota at the same moment; reload and try again."))
        changes = diff(before, snapshot(quota, QUOTA_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action="quota.set",
                target=quota,
                object_repr=organization.name,
                changes=changes,
            )
    return quota
