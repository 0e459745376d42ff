"""Pages of the catalog (Annex 1 as the center keeps it) and of the price list versions.

Everyone signed in reads the catalog and the published prices; the center's administrator edits
them. Views parse and render; the rules are in services and selectors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.catalog import selectors, services
from govcloud.catalog.forms import ItemForm, OptionForm, PriceListForm, PricesForm, RangeForm, RetireForm
from govcloud.catalog.models import CatalogItem, Dimension, PriceList, ResourceKind, SpecOption
from govcloud.core.forms import form_errors_from
from govcloud.core.permissions import has_any_role, require_role

EDITORS = services.CATALOG_EDITORS


def _can_edit(user) -> bool:
    return has_any_role(user, EDITORS)


def _error_message(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_page(request, *, title, form, cancel_url: str, intro=""):
    return render(
        request, "catalog/form_page.html", {"title": title, "form": form, "cancel_url": cancel_url, "intro": intro}
    )


# --- The catalog -----------------------------------------------------------------------------------


def _describe(item: CatalogItem) -> list[dict]:
    """Each field of an item with its values (or range), retired values marked."""
    fields: dict[str, dict] = {}
    for option in item.options.all():
        entry = fields.setdefault(option.dimension, {"dimension": option.dimension, "options": [], "range": None})
        entry["options"].append(option)
    for rng in item.ranges.all():
        fields.setdefault(rng.dimension, {"dimension": rng.dimension, "options": [], "range": None})["range"] = rng
    order = {d: i for i, d in enumerate(Dimension.values)}
    rows = sorted(fields.values(), key=lambda f: order[f["dimension"]])
    for row in rows:
        row["label"] = Dimension(row["dimension"]).label
    return rows


@login_required
def item_list(request):
    items = list(selectors.items_with_specs())
    for item in items:
        item.fields = _describe(item)
    groups = [(kind, label, [i for i in items if i.kind == kind]) for kind, label in ResourceKind.choices]
    return render(
        request,
        "catalog/item_list.html",
        {
            "groups": [g for g in groups if g[2]],
            "can_edit": _can_edit(request.user),
            "price_list": selectors.price_list_on(),
        },
    )


@login_required
def item_detail(request, pk: int):
    item = get_object_or_404(selectors.items_with_specs(), pk=pk)
    can_edit = _can_edit(request.user)
    context = {"item": item, "fields": _describe(item), "can_edit": can_edit}
    if can_edit:
        context["option_form"] = OptionForm(kind=item.kind)
        context["range_form"] = RangeForm(kind=item.kind)
        context["retire_form"] = RetireForm()
    return render(request, "catalog/item_detail.html", context)


@login_required
def item_create(request):
    require_role(request.user, EDITORS)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Added “%(name)s”. Now give it its values and ranges.") % {"name": item.name})
            return redirect("catalog:item_detail", pk=item.pk)
    return _form_page(request, title=_("New catalog item"), form=form, cancel_url=reverse("catalog:item_list"))


@login_required
def item_edit(request, pk: int):
    require_role(request.user, EDITORS)
    item = get_object_or_404(CatalogItem, pk=pk)
    initial = {k: getattr(item, k) for k in ("name", "description", "engine", "network", "sort")}
    form = ItemForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:item_detail", pk=item.pk)
    title = _("Edit “%(name)s”") % {"name": item.name}
    return _form_page(
        request, title=title, form=form, cancel_url=reverse("catalog:item_detail", kwargs={"pk": item.pk})
    )


@login_required
@require_POST
def item_retire(request, pk: int):
    require_role(request.user, EDITORS)
    item = get_object_or_404(CatalogItem, pk=pk)
    form = RetireForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.item_retire(actor=request.user, item=item, note=note)
    messages.success(request, _("“%(name)s” is retired: new applications cannot choose it.") % {"name": item.name})
    return redirect("catalog:item_detail", pk=item.pk)


@login_required
@require_POST
def item_reinstate(request, pk: int):
    require_role(request.user, EDITORS)
    item = get_object_or_404(CatalogItem, pk=pk)
    services.item_reinstate(actor=request.user, item=item)
    messages.success(request, _("“%(name)s” can be chosen again.") % {"name": item.name})
    return redirect("catalog:item_detail", pk=item.pk)


@login_required
@require_POST
def option_add(request, pk: int):
    require_role(request.user, EDITORS)
    item = get_object_or_404(CatalogItem, pk=pk)
    form = OptionForm(request.POST, kind=item.kind)
    if form.is_valid():
        try:
            services.option_add(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("Added %(value)s.") % {"value": form.cleaned_data["value"]})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("catalog:item_detail", pk=item.pk)


def _option_action(request, pk: int, call, done: str):
    require_role(request.user, EDITORS)
    option = get_object_or_404(SpecOption.objects.select_related("item"), pk=pk)
    try:
        call(actor=request.user, option=option)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, done % {"value": option})
    return redirect("catalog:item_detail", pk=option.item_id)


@login_required
@require_POST
def option_retire(request, pk: int):
    return _option_action(
        request, pk, services.option_retire, _("%(value)s is retired: new applications cannot choose it.")
    )


@login_required
@require_POST
def option_reinstate(request, pk: int):
    return _option_action(request, pk, services.option_reinstate, _("%(value)s can be chosen again."))


@login_required
@require_POST
def range_set(request, pk: int):
    require_role(request.user, EDITORS)
    item = get_object_or_404(CatalogItem, pk=pk)
    form = RangeForm(request.POST, kind=item.kind)
    if form.is_valid():
        try:
            services.range_set(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("Saved the range."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("catalog:item_detail", pk=item.pk)


# --- Price lists -----------------------------------------------------------------------------------


@login_required
def price_list_list(request):
    price_lists = list(selectors.price_lists_for(user=request.user))
    statuses = selectors.price_list_statuses(price_lists)
    for pl in price_lists:
        pl.status = statuses[pl.pk]
    return render(
        request,
        "catalog/price_list_list.html",
        {"price_lists": price_lists, "can_edit": _can_edit(request.user)},
    )


def _visible_price_list(request, pk: int) -> PriceList:
    return get_object_or_404(selectors.price_lists_for(user=request.user), pk=pk)


@login_required
def price_list_detail(request, pk: int):
    price_list = _visible_price_list(request, pk)
    previous = selectors.previous_price_list(price_list)
    rows = selectors.price_comparison(price_list, previous)
    editable = _can_edit(request.user) and not price_list.in_effect_by(timezone.localdate())
    form = None
    if editable:
        form = PricesForm(keys=[row.key for row in rows], initial={row.key.field_name: row.amount for row in rows})
        for row in rows:
            row.field = form[row.key.field_name]
    return render(
        request,
        "catalog/price_list_detail.html",
        {
            "price_list": price_list,
            "status": selectors.price_list_statuses([price_list])[price_list.pk],
            "previous": previous,
            "rows": rows,
            "form": form,
            "editable": editable,
            "missing": selectors.missing_prices(price_list) if editable and not price_list.is_published else [],
            "can_edit": _can_edit(request.user),
        },
    )


@login_required
def price_list_create(request):
    require_role(request.user, EDITORS)
    form = PriceListForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            price_list = services.price_list_create_draft(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Drafted “%(name)s” with the current prices.") % {"name": price_list.name})
            return redirect("catalog:price_list_detail", pk=price_list.pk)
    intro = _("The new version starts as a copy of the prices in effect; change what changes, then publish it.")
    return _form_page(
        request,
        title=_("New price list version"),
        form=form,
        cancel_url=reverse("catalog:price_list_list"),
        intro=intro,
    )


@login_required
def price_list_edit(request, pk: int):
    require_role(request.user, EDITORS)
    price_list = _visible_price_list(request, pk)
    initial = {"name": price_list.name, "effective_from": price_list.effective_from, "note": price_list.note}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_update(actor=request.user, price_list=price_list, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:price_list_detail", pk=price_list.pk)
    return _form_page(
        request,
        title=price_list.name,
        form=form,
        cancel_url=reverse("catalog:price_list_detail", kwargs={"pk": price_list.pk}),
    )


@login_required
@require_POST
def price_list_prices(request, pk: int):
    require_role(request.user, EDITORS)
    price_list = _visible_price_list(request, pk)
    keys = [row.key for row in selectors.price_comparison(price_list, None)]
    form = PricesForm(request.POST, keys=keys)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}")
        return redirect("catalog:price_list_detail", pk=price_list.pk)
    try:
        # All the amounts or none: a half-saved table would be worse than a refused one.
        with transaction.atomic():
            for name, amount in form.cleaned_data.items():
                if amount is None:
                    continue
                key = form.keys[name]
                services.price_set(
                    actor=request.user, price_list=price_list, unit=key.unit, amount=amount, item=key.item
                )
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("Saved the prices."))
    return redirect("catalog:price_list_detail", pk=price_list.pk)


@login_required
@require_POST
def price_list_publish(request, pk: int):
    require_role(request.user, EDITORS)
    price_list = _visible_price_list(request, pk)
    try:
        services.price_list_publish(actor=request.user, price_list=price_list)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("Published: these prices apply from %(day)s.") % {"day": price_list.effective_from})
    return redirect("catalog:price_list_detail", pk=price_list.pk)


@login_required
@require_POST
def price_list_discard(request, pk: int):
    require_role(request.user, EDITORS)
    price_list = _visible_price_list(request, pk)
    try:
        services.price_list_discard(actor=request.user, price_list=price_list)
    except ValidationError as exc:
        _error_message(request, exc)
        return redirect("catalog:price_list_detail", pk=price_list.pk)
    messages.success(request, _("Deleted the draft."))
    return redirect("catalog:price_list_list")
