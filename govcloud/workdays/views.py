"""Calendar pages: the year view, entering a notice, XLSX import, and a deadline calculator."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.forms import form_errors_from
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import Role
from govcloud.workdays import selectors, services
from govcloud.workdays.forms import DayEntryFormSet, DeadlineForm, ImportForm, NoticeForm
from govcloud.workdays.holiday_names import holiday_label
from govcloud.workdays.models import DayKind
from govcloud.workdays.xlsx import template_workbook


def _month_grid(year: int, month: int, calendar, special: dict) -> list[list[dict | None]]:
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            entry = special.get(day)
            working = calendar.is_working_day(day)
            if entry is not None and entry.kind == DayKind.WORKDAY:
                css = "gc-cal-workday"
            elif not working and (entry is not None or day.weekday() < 5):
                css = "gc-cal-holiday"
            elif not working:
                css = "gc-cal-weekend"
            else:
                css = ""
            row.append({"date": day, "css": css, "working": working, "entry": entry})
        weeks.append(row)
    return weeks


@login_required
def calendar_view(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    calendar = selectors.work_calendar()
    record = selectors.year_record(year)
    days = selectors.year_days(year)
    special = {d.date: d for d in days}
    provisional = record is None
    fallback = []
    if provisional:
        from govcloud.workdays.fallback import statutory_holidays

        fallback = sorted(statutory_holidays(year).items())
    months = [
        {"number": m, "name": date(year, m, 1), "weeks": _month_grid(year, m, calendar, special)} for m in range(1, 13)
    ]
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "record": record,
            "days": [(d, holiday_label(d.name)) for d in days],
            "fallback": [(day, holiday_label(name)) for day, name in fallback],
            "provisional": provisional,
            "months": months,
            "years": selectors.years(),
            "can_edit": has_any_role(request.user, {Role.CENTER_ADMIN}),
            "missing_year": selectors.next_year_notice_missing(today),
            "working_days_left": calendar.working_days_between(today, date(year, 12, 31))
            if year == today.year
            else None,
            "deadline_form": DeadlineForm(initial={"start": timezone.localtime().replace(second=0, microsecond=0)}),
        },
    )


@login_required
def notice_edit(request, year: int):
    require_role(request.user, {Role.CENTER_ADMIN})
    existing = selectors.year_days(year)
    initial = [{"start": d.date, "end": d.date, "kind": d.kind, "name": d.name} for d in existing]
    record = selectors.year_record(year)
    notice_form = NoticeForm(
        request.POST or None, initial={"year": year, "notice_reference": record.notice_reference if record else ""}
    )
    formset = DayEntryFormSet(request.POST or None, initial=initial or None, prefix="days")
    if request.method == "POST" and notice_form.is_valid() and formset.is_valid():
        entries = [e for form in formset.forms if not form.cleaned_data.get("DELETE") for e in form.entries()]
        try:
            services.calendar_year_set(
                actor=request.user,
                year=notice_form.cleaned_data["year"],
                entries=entries,
                notice_reference=notice_form.cleaned_data["notice_reference"],
            )
        except ValidationError as exc:
            form_errors_from(exc, notice_form)
        else:
            messages.success(request, _("The %(year)d calendar is saved.") % {"year": notice_form.cleaned_data["year"]})
            return redirect(f"{reverse('workdays:calendar')}?year={notice_form.cleaned_data['year']}")
    return render(
        request,
        "workdays/notice_form.html",
        {"year": year, "notice_form": notice_form, "formset": formset, "kinds": DayKind.choices},
    )


@login_required
def import_upload(request):
    require_role(request.user, {Role.CENTER_ADMIN})
    form = ImportForm(request.POST or None, request.FILES or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        job = services.calendar_import_start(
            actor=request.user,
            upload=form.cleaned_data["file"],
            year=form.cleaned_data["year"],
            notice_reference=form.cleaned_data["notice_reference"],
        )
        return redirect("web:job_detail", pk=job.pk)
    return render(request, "workdays/import_form.html", {"form": form})


@login_required
def import_template(request):
    year = timezone.localdate().year + 1
    response = HttpResponse(
        template_workbook(year), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="calendar-{year}-template.xlsx"'
    return response


@login_required
def deadline_calculator(request):
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_valid():
        result = selectors.deadline_from(form.cleaned_data["start"], form.cleaned_data["working_days"])
    return render(request, "workdays/_deadline_result.html", {"form": form, "result": result})
