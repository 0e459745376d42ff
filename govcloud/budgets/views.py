"""Pages of the budgets app: the finance overview (costs per department by month, quarter or year,
Art. 19), the budget list with the set-budget form, and the budget-preparation export. Views
parse and render; reads go through the scoped selectors, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.budgets import selectors
from govcloud.budgets.exports import budget_table_xlsx
from govcloud.budgets.forms import BudgetForm, OverviewFilterForm
from govcloud.budgets.models import BUDGET_SETTERS, BUDGET_VIEWERS
from govcloud.budgets.services import budget_set
from govcloud.core.forms import form_errors_from
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES

PAGE_ROLES = BUDGET_VIEWERS | DEPARTMENT_ROLES
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def finance_overview(request):
    require_role(request.user, PAGE_ROLES)
    form = OverviewFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    overview = selectors.finance_overview(
        user=request.user,
        year=year,
        granularity=data.get("granularity") or selectors.Granularity.MONTH,
        resource_kind=data.get("resource_kind") or None,
    )
    return render(request, "budgets/finance.html", {"form": form, "o": overview, "year": year})


@login_required
def budget_list(request):
    require_role(request.user, PAGE_ROLES)
    year = _year(request)
    can_set = has_any_role(request.user, BUDGET_SETTERS)
    departments = selectors.departments_for(user=request.user)
    form = BudgetForm(
        request.POST if request.method == "POST" else None,
        organizations=departments,
        initial={"year": year},
    )
    if request.method == "POST":
        require_role(request.user, BUDGET_SETTERS)
        if form.is_valid():
            try:
                budget = budget_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    _("Saved the %(year)s budget of %(name)s.")
                    % {"year": budget.year, "name": budget.organization.name},
                )
                return redirect(f"{request.path}?year={budget.year}")
    rows = selectors.budget_table(user=request.user, year=year)
    return render(
        request,
        "budgets/budget_list.html",
        {
            "rows": rows,
            "totals": selectors.budget_totals(rows),
            "year": year,
            "form": form if can_set else None,
            "is_current_year": year == timezone.localdate().year,
        },
    )


@login_required
def export(request):
    require_role(request.user, PAGE_ROLES)
    year = _year(request)
    rows = selectors.budget_table(user=request.user, year=year)
    response = HttpResponse(budget_table_xlsx(rows, year=year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="budget-{year}.xlsx"'
    return response
