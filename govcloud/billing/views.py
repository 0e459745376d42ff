"""Pages of billing: the statements (对账单) with the month-to-date cost, a statement with its
subtotals and downloads, the center's adjustment of an issued line, and the code check. Thin:
reads through the scoped selectors, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.billing import documents, selectors
from govcloud.billing.filters import StatementFilter
from govcloud.billing.forms import AdjustmentForm
from govcloud.billing.models import STATEMENT_ADJUSTERS, StatementLine
from govcloud.billing.services import statement_adjust
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.scoping import Action, get_scoped_or_404


@login_required
def statement_list(request):
    filterset = StatementFilter(
        request.GET or None, queryset=selectors.statements_for(user=request.user), request=request
    )
    # A bad filter (a month that is not YYYY-MM) shows its message and no statements.
    statements = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = page_of(request, statements)
    month = None
    if has_any_role(request.user, DEPARTMENT_ROLES) and request.user.organization_id:
        month = selectors.month_to_date(user=request.user, organization=request.user.organization)
    return render(
        request,
        "billing/statement_list.html",
        {
            "filter": filterset,
            "page": page,
            "month": month,
            "monthly_totals": selectors.monthly_totals(statements),
            "filtered": bool(request.GET.get("month") or request.GET.get("organization") or request.GET.get("state")),
        },
    )


def _statement(request, pk):
    return get_scoped_or_404(selectors.statements_for(user=request.user), request.user, Action.VIEW, pk=pk)


@login_required
def statement_detail(request, pk: int):
    statement = _statement(request, pk)
    lines = list(selectors.statement_lines(statement))
    return render(
        request,
        "billing/statement_detail.html",
        {
            "statement": statement,
            "lines": lines,
            "summary": selectors.statement_summary(statement, lines),
            "can_adjust": statement.is_issued and has_any_role(request.user, STATEMENT_ADJUSTERS),
        },
    )


def _download(request, pk: int, fmt: str):
    statement = _statement(request, pk)
    lines = list(selectors.statement_lines(statement))
    render_file = documents.statement_pdf if fmt == "pdf" else documents.statement_xlsx
    data = render_file(statement, lines)
    audit_record(actor=request.user, action="statement.download", target=statement, message=fmt.upper())
    content_type = (
        "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{statement.number}.{fmt}"'
    return response


@login_required
def statement_pdf(request, pk: int):
    return _download(request, pk, "pdf")


@login_required
def statement_xlsx(request, pk: int):
    return _download(request, pk, "xlsx")


@login_required
def line_adjust(request, pk: int):
    require_role(request.user, STATEMENT_ADJUSTERS)
    line = get_scoped_or_404(
        StatementLine.objects.select_related("statement__organization", "resource"), request.user, Action.CHANGE, pk=pk
    )
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = statement_adjust(
                actor=request.user,
                original_line=line,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("The adjustment was added to statement %(number)s.") % {"number": adjustment.statement.number},
            )
            return redirect("billing:statement_detail", pk=adjustment.statement_id)
    return render(request, "billing/line_adjust.html", {"line": line, "form": form})


@login_required
def verify(request):
    code = request.GET.get("code", "")
    statement = selectors.statement_by_code(code) if code else None
    return render(request, "billing/verify.html", {"code": code, "checked": bool(code), "statement": statement})
