"""Pages of the provider's assessment (Art. 5, 6, 20): the scheme, the assessments with their
trend, one assessment with each indicator's formula, figures, score and evidence, the provider's
comments and the center's adjustments; and the department's rating of a delivery."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.assessment import forms as f
from govcloud.assessment import selectors, services, supervision, surveys
from govcloud.assessment.documents import assessment_pdf as render_pdf
from govcloud.assessment.indicators import REGISTRY
from govcloud.assessment.models import (
    ASSESSORS,
    AssessmentAction,
    DeliveryRating,
    Dimension,
    SurveyQuestion,
    SurveyResponse,
)
from govcloud.core.forms import form_errors_from
from govcloud.core.permissions import has_any_role

DIMENSIONS = list(Dimension)


def _require_viewer(user) -> None:
    if not selectors.can_view(user):
        raise Http404


def trend_chart(rows) -> dict:
    labels = [f"{a.period_start:%Y-%m}" for a in rows]
    series = [
        {
            "name": str(_("Total")),
            "type": "line",
            "data": [float(a.total) if a.total is not None else None for a in rows],
            "connectNulls": False,
        }
    ]
    for dim in DIMENSIONS:
        series.append(
            {
                "name": str(dim.label),
                "type": "line",
                "data": [a.dimension_scores.get(dim.value) for a in rows],
                "connectNulls": False,
            }
        )
    return {
        "color": ["#1756a0", "#2f9e44", "#e8590c", "#7048e8"],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 24, "top": 32, "bottom": 24},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": series,
    }


@login_required
def assessment_list(request):
    _require_viewer(request.user)
    rows = list(selectors.assessment_list(user=request.user)[:100])
    scheme = selectors.scheme_current(user=request.user)
    can_run = has_any_role(request.user, ASSESSORS) and scheme is not None
    form = f.RunForm(request.POST or None)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                a = services.assessment_run(actor=request.user, scheme=scheme, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The assessment has been computed."))
                return redirect("assessment:assessment_detail", pk=a.pk)
    trend = sorted(rows, key=lambda a: (a.period_start, a.pk))
    return render(
        request,
        "assessment/assessment_list.html",
        {
            "assessments": rows,
            "scheme": scheme,
            "form": form,
            "can_run": can_run,
            "trend_chart": trend_chart(trend) if trend else None,
        },
    )


@login_required
def scheme_detail(request):
    _require_viewer(request.user)
    schemes = list(selectors.scheme_list(user=request.user))
    current = next((s for s in schemes if s.is_current), None)
    rows = []
    if current:
        for ind in current.indicators.all():
            spec = REGISTRY.get(ind.key)
            rows.append({"ind": ind, "spec": spec, "dimension": Dimension(spec.dimension).label if spec else ""})
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": current,
            "rows": rows,
            "versions": schemes,
            "dimensions": DIMENSIONS,
            "dimension_weights": [
                {"label": dim.label, "weight": (current.dimension_weights or {}).get(dim.value, 0)}
                for dim in DIMENSIONS
                if current and current.dimension_weights
            ],
            "can_edit": has_any_role(request.user, ASSESSORS),
        },
    )


@login_required
def scheme_edit(request):
    """The center edits the scheme: saving makes a new version; finished assessments keep theirs."""
    if not has_any_role(request.user, ASSESSORS):
        raise Http404
    current = selectors.scheme_current(user=request.user)
    keys = list(REGISTRY)
    initial = {
        "period_kind": "quarterly",
        "grades": "\n".join(f"{m:g} {label}" for m, label in services.DEFAULT_GRADES),
    }
    if current:
        initial.update(
            name=current.name,
            period_kind=current.period_kind,
            grades="\n".join(f"{float(m):g} {label}" for m, label in current.grades),
        )
        initial.update({f"dim_{dim}": w for dim, w in (current.dimension_weights or {}).items()})
        for ind in current.indicators.all():
            initial.update(
                {f"weight_{ind.key}": ind.weight, f"rule_{ind.key}": ind.rule, f"params_{ind.key}": ind.params}
            )
    form = f.SchemeForm(request.POST or None, initial=initial, keys=keys)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows = [
            services.IndicatorInput(key, data[f"weight_{key}"], data[f"rule_{key}"], data[f"params_{key}"] or {})
            for key in keys
            if data[f"weight_{key}"]
        ]
        try:
            services.scheme_save(
                actor=request.user,
                name=data["name"],
                period_kind=data["period_kind"],
                grades=data["grades"],
                indicators=rows,
                note=data["note"],
                dimension_weights=form.dimension_weights(),
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The scheme has been saved as a new version."))
            return redirect("assessment:scheme_detail")
    labels = {key: REGISTRY[key].label for key in keys}
    rows = [{"key": k, "label": labels[k], "weight": w, "rule": r, "params": p} for k, w, r, p in form.indicator_rows()]
    return render(request, "assessment/scheme_edit.html", {"form": form, "rows": rows})


def _result_rows(assessment, results):
    rows = []
    for r in results:
        spec = REGISTRY.get(r.key)
        rows.append({"r": r, "spec": spec})
    return rows


@login_required
def assessment_detail(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    results = selectors.assessment_results(assessment=assessment)
    by_dim = [
        {
            "dimension": dim,
            "score": assessment.dimension_scores.get(dim.value),
            "rows": _result_rows(assessment, [r for r in results if r.dimension == dim.value]),
        }
        for dim in DIMENSIONS
    ]
    window_open = timezone.now() <= assessment.dispute_due_at
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "a": assessment,
            "dimensions": by_dim,
            "entries": list(assessment.entries.all()),
            "can_dispute": services.can(request.user, assessment, AssessmentAction.DISPUTE) and window_open,
            "can_adjust": services.can(request.user, assessment, AssessmentAction.ADJUST),
            "can_finalize": services.can(request.user, assessment, AssessmentAction.FINALIZE),
        },
    )


def breakdown_tables(result) -> list[dict]:
    """The indicator's tables with their titles and headings translated (they are stored as msgids)."""
    tables = []
    for table in (result.breakdown or {}).get("tables", []):
        tables.append(
            {
                "title": _(table["title"]),
                "columns": [_(c) if c and not c[:1].isdigit() else c for c in table["columns"]],
                "rows": table["rows"],
            }
        )
    return tables


@login_required
def evidence(request, pk: int, key: str):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    result = assessment.results.filter(key=key).first()
    if result is None:
        raise Http404
    flagged_only = request.GET.get("flagged") == "1"
    return render(
        request,
        "assessment/evidence.html",
        {
            "a": assessment,
            "r": result,
            "spec": REGISTRY.get(key),
            "records": selectors.evidence_records(result=result, flagged_only=flagged_only),
            "flagged_only": flagged_only,
            "tables": breakdown_tables(result),
            "facts": result.breakdown or {},
        },
    )


@login_required
def assessment_pdf(request, pk: int):
    """The finalized assessment as a PDF report."""
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    if assessment.is_open:
        raise Http404(_("The report is available once the assessment is finalized."))
    pdf = render_pdf(assessment, selectors.assessment_results(assessment=assessment), list(assessment.entries.all()))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.period_start:%Y%m%d}.pdf"'
    return response


@login_required
@require_POST
def assessment_act(request, pk: int, action: str):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    back = reverse("assessment:assessment_detail", args=[assessment.pk])
    try:
        if action == AssessmentAction.DISPUTE:
            form = f.DisputeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Write your comment."))
            services.assessment_dispute(actor=request.user, assessment=assessment, **form.cleaned_data)
        elif action == AssessmentAction.ADJUST:
            form = f.AdjustForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give a score between 0 and 100 and the reason."))
            services.assessment_adjust(actor=request.user, assessment=assessment, **form.cleaned_data)
        elif action == AssessmentAction.FINALIZE:
            services.assessment_finalize(actor=request.user, assessment=assessment)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect(back)


@login_required
def delivery_rating(request, application_id: int):
    """The department rates one of its deliveries (once)."""
    from govcloud.applications.models import Application
    from govcloud.core.scoping import Action, get_scoped_or_404

    app = get_scoped_or_404(Application, request.user, Action.VIEW, pk=application_id)
    existing = DeliveryRating.objects.filter(application=app).first()
    form = f.RatingForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.delivery_rate(actor=request.user, application=app, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("assessment:delivery_rating", application_id=app.pk)
    return render(
        request,
        "assessment/delivery_rating.html",
        {"application": app, "existing": existing, "form": form},
    )


# --- Satisfaction survey (Art. 6) ------------------------------------------------------------------


@login_required
def survey_list(request):
    """The rounds with their response rates and scores; the center opens a round here."""
    rows = list(surveys.round_list(user=request.user)[:50])
    if not rows and not (surveys.can_read_all(request.user) or surveys.is_department(request.user)):
        raise Http404
    can_manage = surveys.can_manage(request.user)
    form = f.RunForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                row = surveys.survey_round_open(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The survey round is open for the departments' answers."))
                return redirect("assessment:survey_detail", pk=row.pk)
    scores = surveys.averages(rows) if surveys.can_read_all(request.user) else {}
    mine = set()
    if surveys.is_department(request.user):
        mine = set(
            SurveyResponse.objects.filter(round__in=rows, organization_id=request.user.organization_id).values_list(
                "round_id", flat=True
            )
        )
    for row in rows:
        row.score = scores.get(row.pk)
        row.rate = round(100 * row.answered / row.invited, 1) if row.invited else None
        row.mine = row.pk in mine
    return render(
        request,
        "assessment/survey_list.html",
        {
            "rounds": rows,
            "form": form,
            "can_manage": can_manage,
            "sees_all": surveys.can_read_all(request.user),
            "questions": list(SurveyQuestion.objects.filter(is_active=True)) if can_manage else [],
        },
    )


@login_required
def survey_questions(request):
    """The center edits the questions the next rounds ask (rounds already open keep theirs)."""
    if not surveys.can_manage(request.user):
        raise Http404
    current = "\n".join(q.text for q in SurveyQuestion.objects.filter(is_active=True))
    form = f.SurveyQuestionsForm(request.POST or None, initial={"questions": current})
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_questions_set(actor=request.user, texts=form.cleaned_data["questions"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:survey_list")
    return render(request, "assessment/survey_questions.html", {"form": form})


@login_required
def survey_detail(request, pk: int):
    """A round: the department answers it once; the center sees every answer per question."""
    row = surveys.round_get(user=request.user, pk=pk)
    responses = surveys.round_responses(user=request.user, survey=row)
    mine = next((r for r in responses if r.organization_id == getattr(request.user, "organization_id", None)), None)
    can_answer = surveys.is_department(request.user) and mine is None and row.is_open
    form = f.SurveyAnswerForm(request.POST or None, questions=row.questions)
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                surveys.survey_answer(actor=request.user, survey=row, answers=form.answers())
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Thank you for your answers."))
                return redirect("assessment:survey_detail", pk=row.pk)
    sees_all = surveys.can_read_all(request.user)
    return render(
        request,
        "assessment/survey_detail.html",
        {
            "round": row,
            "form": form,
            "can_answer": can_answer,
            "can_close": surveys.can_manage(request.user) and row.is_open,
            "mine": mine,
            "sees_all": sees_all,
            "responses": responses if sees_all else [],
            "figures": surveys.question_figures(row, responses) if sees_all else [],
            "rate": round(100 * row.answered / row.invited, 1) if row.invited else None,
        },
    )


@login_required
@require_POST
def survey_close(request, pk: int):
    row = surveys.round_get(user=request.user, pk=pk)
    try:
        surveys.survey_round_close(actor=request.user, survey=row)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("assessment:survey_detail", pk=row.pk)


# --- Supervision of departments (Art. 13, 19) ------------------------------------------------------


def _supervision_args(request) -> tuple[int, str]:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    sort = request.GET.get("sort") or "idle"
    return year, sort if sort in supervision.SORTS else "idle"


@login_required
def supervision_page(request):
    if not supervision.can_supervise(request.user):
        raise Http404
    year, sort = _supervision_args(request)
    rows = supervision.supervision_rows(user=request.user, year=year, sort=sort)
    return render(
        request,
        "assessment/supervision.html",
        {"rows": rows, "year": year, "sort": sort, "sorts": list(supervision.SORTS)},
    )


@login_required
def supervision_export(request):
    if not supervision.can_supervise(request.user):
        raise Http404
    year, sort = _supervision_args(request)
    rows = supervision.supervision_rows(user=request.user, year=year, sort=sort)
    response = HttpResponse(
        supervision.supervision_xlsx(rows, year=year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="supervision-{year}.xlsx"'
    return response
