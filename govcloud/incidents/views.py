"""Pages of the service desk (Art. 12, 13): report a fault, log a phone call, the incident with its
timeline and actions, the live board, the month's figures, severities and the duty roster."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.incidents import forms as f
from govcloud.incidents import selectors, services
from govcloud.incidents.documents import major_report_pdf as render_pdf
from govcloud.incidents.filters import IncidentFilter
from govcloud.incidents.models import (
    DESK,
    INCIDENT_TRANSITIONS,
    PROVIDER,
    REPORTERS,
    SEVERITY_EDITORS,
    DutyShift,
    DutyTeam,
    FollowUpItem,
    IncidentAction,
    IncidentSeverity,
    IncidentState,
)


def page(request, template: str, context: dict):
    """Every service desk page knows whether the reader works the desk (the tabs, the actions)."""
    return render(request, template, {"desk": has_any_role(request.user, DESK), **context})


def form_page(request, form, *, heading, cancel_url, intro="", submit=None, multipart=False):
    return page(
        request,
        "incidents/form.html",
        {
            "form": form,
            "heading": heading,
            "intro": intro,
            "cancel_url": cancel_url,
            "submit_label": submit or _("Save"),
            "multipart": multipart,
        },
    )


def allowed(incident, action, user) -> bool:
    entry = INCIDENT_TRANSITIONS.get((incident.state, action))
    return entry is not None and has_any_role(user, entry[1])


# --- Lists and reporting ---------------------------------------------------------------------------


@login_required
def incident_list(request):
    user = request.user
    filterset = IncidentFilter(request.GET or None, queryset=selectors.incidents_for(user=user))
    return page(
        request,
        "incidents/incident_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "counts": selectors.open_counts(user=user),
            "can_report": has_any_role(user, REPORTERS),
            "can_call": has_any_role(user, DESK),
        },
    )


@login_required
def incident_create(request):
    user = request.user
    require_role(user, REPORTERS)
    form = f.IncidentReportForm(
        request.POST or None,
        request.FILES or None,
        systems=selectors.reporter_systems(user=user),
        resources=selectors.reporter_resources(user=user),
        initial={"contact_name": user.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("Incident %(number)s reported; the duty engineer has been called.") % {"number": incident.number},
            )
            return redirect("incidents:incident_detail", pk=incident.pk)
    return form_page(
        request,
        form,
        heading=gettext_lazy("Report a fault"),
        intro=gettext_lazy(
            "Art. 13: report problems promptly. The provider's duty engineer answers within 5 minutes, 7×24."
        ),
        cancel_url=reverse("incidents:incident_list"),
        submit=gettext_lazy("Report"),
        multipart=True,
    )


@login_required
def call_create(request):
    user = request.user
    require_role(user, DESK)
    organization = None
    if request.method == "POST":
        organization = selectors.calling_departments().filter(pk=request.POST.get("organization") or 0).first()
    form = f.PhoneCallForm(
        request.POST or None,
        organizations=selectors.calling_departments(),
        systems=selectors.desk_systems(user=user),
        resources=selectors.reporter_resources(user=user, organization=organization)
        if organization
        else selectors.reporter_resources(user=user).none(),
        initial={"called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_log_call(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Call logged as %(number)s.") % {"number": incident.number})
            return redirect("incidents:incident_detail", pk=incident.pk)
    return form_page(
        request,
        form,
        heading=gettext_lazy("Log a phone call"),
        intro=gettext_lazy("The clock starts at the time of the call, not when it is logged."),
        cancel_url=reverse("incidents:incident_list"),
        submit=gettext_lazy("Log the call"),
    )


# --- One incident ----------------------------------------------------------------------------------


@login_required
def incident_detail(request, pk: int):
    user = request.user
    incident = selectors.incident_get(user=user, pk=pk)
    can = {action.value: allowed(incident, action, user) for action in IncidentAction}
    desk = has_any_role(user, DESK)
    is_reporter = has_any_role(user, REPORTERS)
    report = selectors.major_report_of(incident)
    return page(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "timeline": selectors.incident_timeline(incident=incident),
            "can": can,
            "desk": desk,
            "can_message": (desk or is_reporter) and incident.state != IncidentState.MERGED,
            "can_rate": is_reporter and incident.state == IncidentState.CLOSED and incident.rated_at is None,
            "can_update": desk and incident.state not in (IncidentState.CLOSED, IncidentState.MERGED),
            "report": report,
            "claim_form": f.ClaimForm(),
            "message_form": f.MessageForm(),
            "recover_form": f.RecoverForm(
                initial={"workaround": incident.workaround, "root_cause": incident.root_cause}
            ),
            "reopen_form": f.ReopenForm(),
            "rate_form": f.RateForm(),
            "merge_form": f.MergeForm(),
            "update_form": f.UpdateForm(
                initial={
                    "severity": incident.severity_id,
                    "workaround": incident.workaround,
                    "root_cause": incident.root_cause,
                }
            ),
            "follow_up_form": f.FollowUpForm(),
        },
    )


def _merge(user, incident, data):
    number = data["into"].strip()
    into = selectors.incidents_for(user=user).filter(number=number).first()
    if into is None:
        raise ValidationError({"into": _("There is no incident %(number)s.") % {"number": number}})
    return services.incident_merge(actor=user, incident=incident, into=into, comment=data["comment"])


# action → (form, the service call)
ACTIONS = {
    "claim": (f.ClaimForm, lambda u, i, d: services.incident_claim(actor=u, incident=i, **d)),
    "message": (f.MessageForm, lambda u, i, d: services.incident_message(actor=u, incident=i, **d)),
    "start": (f.NoteForm, lambda u, i, d: services.incident_start(actor=u, incident=i, **d)),
    "recover": (f.RecoverForm, lambda u, i, d: services.incident_recover(actor=u, incident=i, **d)),
    "confirm": (f.ConfirmForm, lambda u, i, d: services.incident_confirm(actor=u, incident=i, **d)),
    "reopen": (f.ReopenForm, lambda u, i, d: services.incident_reopen(actor=u, incident=i, **d)),
    "rate": (f.RateForm, lambda u, i, d: services.incident_rate(actor=u, incident=i, **d)),
    "merge": (f.MergeForm, _merge),
    "update": (f.UpdateForm, lambda u, i, d: services.incident_update(actor=u, incident=i, **d)),
    "follow-up": (f.FollowUpForm, lambda u, i, d: services.follow_up_add(actor=u, incident=i, **d)),
}


@login_required
@require_POST
def incident_act(request, pk: int, action: str):
    incident = selectors.incident_get(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("incidents:incident_detail", pk=incident.pk)
    try:
        call(request.user, incident, form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect("incidents:incident_detail", pk=incident.pk)


@login_required
def attachment(request, pk: int, attachment_id):
    incident = selectors.incident_get(user=request.user, pk=pk)
    file = selectors.attachment_get(incident=incident, attachment_id=attachment_id)
    path = services.incident_attachment_open(actor=request.user, incident=incident, attachment=file)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=file.original_name, content_type=file.content_type
    )


@login_required
@require_POST
def follow_up_done(request, pk: int):
    item = get_object_or_404(FollowUpItem.objects.select_related("incident"), pk=pk)
    # The item's incident must be in scope (404 otherwise, as for a missing item).
    selectors.incident_get(user=request.user, pk=item.incident_id)
    services.follow_up_done(actor=request.user, item=item)
    return redirect("incidents:incident_detail", pk=item.incident_id)


@login_required
def major_report(request, pk: int):
    user = request.user
    incident = selectors.incident_get(user=user, pk=pk)
    require_role(user, DESK)
    existing = selectors.major_report_of(incident)
    initial = {}
    if existing is not None:
        initial = {k: getattr(existing, k) for k in ("timeline", "impact", "cause", "measures", "lessons")}
    else:
        entries = selectors.incident_timeline(incident=incident)
        initial["timeline"] = "\n".join(
            f"{timezone.localtime(e.created_at):%H:%M} {e.get_kind_display()} {e.actor_name} {e.text[:80]}"
            for e in entries
        )
        initial["cause"] = incident.root_cause
    form = f.MajorReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.major_report_submit(actor=user, incident=incident, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Incident report filed."))
            return redirect("incidents:incident_detail", pk=incident.pk)
    return form_page(
        request,
        form,
        heading=_("Incident report: %(number)s %(title)s") % {"number": incident.number, "title": incident.title},
        intro=gettext_lazy("Art. 12 (5): a major incident is reported to the center the same day."),
        cancel_url=reverse("incidents:incident_detail", args=[incident.pk]),
        submit=gettext_lazy("File the report"),
    )


@login_required
def major_report_pdf(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk)
    report = selectors.major_report_of(incident)
    if report is None:
        raise Http404(_("No incident report has been filed."))
    pdf = render_pdf(incident, report, list(selectors.incident_timeline(incident=incident)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="incident-report-{incident.number}.pdf"'
    return response


# --- The board and the figures ---------------------------------------------------------------------


# A duty engineer reads the top of the board; the rest are counted.
BOARD_ROWS = 100


def _board_context(request):
    user = request.user
    now = timezone.now()
    rows = list(selectors.board_rows(user=user, now=now)[:BOARD_ROWS])
    for row in rows:
        row.left = int((row.due - now).total_seconds())
    counts = selectors.open_counts(user=user, now=now)
    return {"rows": rows, "counts": counts, "now": now, "more": max(counts["open"] - len(rows), 0)}


@login_required
def board(request):
    require_role(request.user, DESK)
    return page(request, "incidents/board.html", _board_context(request))


@login_required
def board_rows(request):
    require_role(request.user, DESK)
    return page(request, "incidents/_board_rows.html", _board_context(request))


@login_required
def figures(request):
    form = f.MonthForm(request.GET or None)
    month = timezone.localdate().replace(day=1)
    if form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"].replace(day=1)
    data = selectors.month_figures(user=request.user, month=month)
    return page(request, "incidents/figures.html", {"form": form, "figures": data})


# --- Severities and the roster ---------------------------------------------------------------------


@login_required
def severity_list(request):
    return page(
        request,
        "incidents/severity_list.html",
        {"severities": selectors.severities(), "can_edit": has_any_role(request.user, SEVERITY_EDITORS)},
    )


@login_required
def severity_edit(request, pk: int):
    require_role(request.user, SEVERITY_EDITORS)
    severity = get_object_or_404(IncidentSeverity, pk=pk)
    form = f.SeverityForm(request.POST or None, instance=IncidentSeverity.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_severity_update(actor=request.user, severity=severity, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Severity saved."))
            return redirect("incidents:severity_list")
    return form_page(
        request, form, heading=severity.name, cancel_url=reverse("incidents:severity_list"), submit=_("Save")
    )


def _engineers():
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role__in=list(PROVIDER))
        .distinct()
        .order_by("username")
    )


@login_required
def roster(request):
    user = request.user
    require_role(user, DESK)
    form = f.ShiftForm(request.POST or None, teams=DutyTeam.objects.filter(is_active=True), engineers=_engineers())
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_shift_add(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Shift added."))
            return redirect("incidents:roster")
    return page(
        request,
        "incidents/roster.html",
        {"form": form, "team_form": f.TeamForm(), "shifts": selectors.shifts(), "teams": DutyTeam.objects.all()},
    )


@login_required
@require_POST
def team_create(request):
    require_role(request.user, DESK)
    form = f.TeamForm(request.POST)
    if form.is_valid():
        try:
            services.duty_team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return redirect("incidents:roster")


@login_required
@require_POST
def shift_delete(request, pk: int):
    require_role(request.user, DESK)
    shift = get_object_or_404(DutyShift, pk=pk)
    services.duty_shift_delete(actor=request.user, shift=shift)
    messages.success(request, _("Shift removed."))
    return redirect("incidents:roster")
