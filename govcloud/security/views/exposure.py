"""Pages for address filings, port opening requests and open ports (Annex 1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import CENTER_ROLES
from govcloud.core.scoping import Action
from govcloud.security import services
from govcloud.security.filters import AddressFilingFilter, PortRequestFilter
from govcloud.security.forms import (
    AddressFilingForm,
    FilingTransitionForm,
    PortCloseForm,
    PortDecisionForm,
    PortRequestForm,
)
from govcloud.security.models import (
    FILERS,
    FILING_TRANSITIONS,
    PORT_REQUEST_TRANSITIONS,
    FilingAction,
    FilingStatus,
    PortRequestAction,
)
from govcloud.security.selectors import exposure as selectors
from govcloud.security.views.common import error_messages, form_page, page


def _allowed(table, state, action, user) -> bool:
    entry = table.get((state, action))
    return entry is not None and has_any_role(user, entry[1])


@login_required
def filing_list(request):
    filterset = AddressFilingFilter(request.GET or None, queryset=selectors.filings_for(user=request.user))
    return page(
        request,
        "security/filing_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "can_create": has_any_role(request.user, FILERS),
        },
        tab="filings",
    )


@login_required
def filing_create(request):
    require_role(request.user, FILERS)
    systems = selectors.systems_to_file(user=request.user)
    form = AddressFilingForm(request.POST or None, systems=systems, initial={"system": request.GET.get("system")})
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.address_filing_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Filing drafted. Check it and submit it to the center."))
            return redirect("security:filing_detail", pk=filing.pk)
    return form_page(
        request,
        form,
        tab="filings",
        heading=gettext_lazy("New address filing"),
        intro=gettext_lazy(
            "Annex 1: each public address of an internet-facing system is filed before the system goes live. "
            "Every inbound port stays closed, 80 and 443 included, until a port opening request is approved."
        ),
        cancel_url=reverse("security:filing_list"),
    )


@login_required
def filing_detail(request, pk: int):
    filing = selectors.filing_get(user=request.user, pk=pk)
    user, status = request.user, filing.status
    can = {
        action: _allowed(FILING_TRANSITIONS, status, action, user)
        for action in (FilingAction.SUBMIT, FilingAction.COMPLETE, FilingAction.REJECT, FilingAction.WITHDRAW)
    }
    # A department acts on its own filings only (its view scope is its own organization already);
    # the provider reads every filing and acts on none.
    complete = status == FilingStatus.COMPLETE
    return page(
        request,
        "security/filing_detail.html",
        {
            "filing": filing,
            "can": can,
            "can_edit": filing.is_editable and has_any_role(user, FILERS),
            "can_request_port": complete and has_any_role(user, FILERS),
            "can_close_port": complete and has_any_role(user, FILERS | CENTER_ROLES),
            "open_ports": selectors.filing_open_ports(filing=filing),
            "history": selectors.port_history(filing=filing),
            "requests": selectors.port_requests_for(user=user).filter(filing=filing),
            "timeline": selectors.filing_timeline(filing=filing),
            "clearance": services.address_go_live_clearance(system=filing.system),
            "transition_form": FilingTransitionForm(),
            "close_form": PortCloseForm(),
        },
        tab="filings",
    )


@login_required
def filing_edit(request, pk: int):
    filing = selectors.filing_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, FILERS)
    initial = {
        "address": filing.address,
        "domain": filing.domain,
        "requested_ports": filing.requested_ports_display,
        "purpose": filing.purpose,
    }
    form = AddressFilingForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_filing_update(actor=request.user, filing=filing, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("security:filing_detail", pk=filing.pk)
    return form_page(
        request,
        form,
        tab="filings",
        heading=_("Edit address filing %(address)s") % {"address": filing.address},
        cancel_url=reverse("security:filing_detail", args=[filing.pk]),
    )


@login_required
@require_POST
def filing_transition(request, pk: int):
    filing = selectors.filing_get(user=request.user, pk=pk)
    form = FilingTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("security:filing_detail", pk=filing.pk)
    try:
        filing = services.address_filing_transition(actor=request.user, filing=filing, **form.cleaned_data)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("The filing is now “%(status)s”.") % {"status": filing.get_status_display()})
    return redirect("security:filing_detail", pk=filing.pk)


@login_required
def port_request_create(request, pk: int):
    filing = selectors.filing_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, FILERS)
    form = PortRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            port_request = services.port_request_submit(actor=request.user, filing=filing, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Request sent to the center. The port stays closed until it is approved."))
            return redirect("security:port_request_detail", pk=port_request.pk)
    return form_page(
        request,
        form,
        tab="ports",
        heading=_("Port opening request for %(address)s") % {"address": filing.address},
        intro=gettext_lazy("Every inbound port is closed by default, 80 and 443 included. Say why this one must open."),
        cancel_url=reverse("security:filing_detail", args=[filing.pk]),
        submit=gettext_lazy("Submit"),
    )


@login_required
@require_POST
def port_close(request, pk: int):
    filing = selectors.filing_get(user=request.user, pk=pk)
    form = PortCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the port is closed."))
        return redirect("security:filing_detail", pk=filing.pk)
    try:
        services.port_close(actor=request.user, filing=filing, **form.cleaned_data)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Port closed."))
    return redirect("security:filing_detail", pk=filing.pk)


@login_required
def port_request_list(request):
    filterset = PortRequestFilter(request.GET or None, queryset=selectors.port_requests_for(user=request.user))
    return page(
        request,
        "security/port_request_list.html",
        {"filter": filterset, "page": page_of(request, filterset.qs)},
        tab="ports",
    )


@login_required
def port_request_detail(request, pk: int):
    port_request = selectors.port_request_get(user=request.user, pk=pk)
    can = {
        action: _allowed(PORT_REQUEST_TRANSITIONS, port_request.status, action, request.user)
        for action in PortRequestAction
    }
    return page(
        request,
        "security/port_request_detail.html",
        {"port_request": port_request, "can": can, "decision_form": PortDecisionForm()},
        tab="ports",
    )


@login_required
@require_POST
def port_request_decide(request, pk: int):
    port_request = selectors.port_request_get(user=request.user, pk=pk)
    form = PortDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("security:port_request_detail", pk=port_request.pk)
    try:
        decided = services.port_request_decide(actor=request.user, request=port_request, **form.cleaned_data)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("The request is now “%(status)s”.") % {"status": decided.get_status_display()})
    return redirect("security:port_request_detail", pk=port_request.pk)
