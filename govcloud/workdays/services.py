"""Writes to the working-day calendar: seeding from the package, a year's notice (entered in the UI
or imported from XLSX). Only the center admin changes the calendar; every change is audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, is_system
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.workdays import selectors
from govcloud.workdays.models import CalendarDay, CalendarSource, CalendarYear, DayKind


@dataclass(frozen=True)
class DayEntry:
    date: date
    kind: DayKind
    name: str = ""


def calendar_seed_from_package(*, actor: Actor) -> list[int]:
    """Load every year `chinese-calendar` knows that is not in the database yet. Idempotent; a
    year the center entered itself is never overwritten."""
    import chinese_calendar

    require_role(actor, {Role.CENTER_ADMIN})
    by_year: dict[int, list[DayEntry]] = {}
    for day, name in chinese_calendar.holidays.items():
        by_year.setdefault(day.year, []).append(DayEntry(day, DayKind.HOLIDAY, name or ""))
    for day, name in chinese_calendar.workdays.items():
        # `workdays` holds only the adjusted working days (调休), not every Monday to Friday.
        by_year.setdefault(day.year, []).append(DayEntry(day, DayKind.WORKDAY, name or ""))
    added = []
    with transaction.atomic():
        existing = set(CalendarYear.objects.values_list("year", flat=True))
        for year in sorted(by_year):
            if year in existing:
                continue
            record = CalendarYear.objects.create(year=year, source=CalendarSource.PACKAGE, entered_by_name="system")
            CalendarDay.objects.bulk_create(
                [CalendarDay(year=record, date=e.date, kind=e.kind, name=e.name[:60]) for e in by_year[year]]
            )
            added.append(year)
        if added:
            audit_record(
                actor=actor,
                action="calendar.seed",
                object_type="workdays.calendaryear",
                object_id=f"{added[0]}-{added[-1]}",
                object_repr=", ".join(str(y) for y in added),
                message=_("Loaded %(count)d years from the chinese-calendar package.") % {"count": len(added)},
            )
    selectors.clear_cache()
    return added


def _validate_entries(year: int, entries: Iterable[DayEntry]) -> list[DayEntry]:
    entries = list(entries)
    errors = []
    seen: dict[date, DayEntry] = {}
    earliest = date(year - 1, 12, 1)  # a notice may move a weekend of the December before
    latest = date(year, 12, 31)
    for entry in entries:
        if not earliest <= entry.date <= latest:
            errors.append(
                _("%(date)s is outside the %(year)d notice (%(from)s to %(to)s).")
                % {"date": entry.date, "year": year, "from": earliest, "to": latest}
            )
        if entry.date in seen:
            errors.append(_("%(date)s is listed twice.") % {"date": entry.date})
        if entry.kind == DayKind.WORKDAY and entry.date.weekday() < 5:
            errors.append(
                _("%(date)s is a weekday: only a Saturday or Sunday can be an adjusted working day.")
                % {"date": entry.date}
            )
        seen[entry.date] = entry
    if not any(e.kind == DayKind.HOLIDAY for e in entries):
        errors.append(_("A notice lists at least one holiday."))
    if errors:
        raise ValidationError(errors)
    return entries


def calendar_year_set(
    *,
    actor: Actor,
    year: int,
    entries: Iterable[DayEntry],
    notice_reference: str = "",
    source: CalendarSource = CalendarSource.NOTICE,
) -> CalendarYear:
    """Record a year's State Council notice: its holidays and adjusted working days replace what
    the database had for that year. Nothing changes if any entry is invalid."""
    require_role(actor, {Role.CENTER_ADMIN})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    entries = _validate_entries(year, entries)
    with transaction.atomic():
        record = CalendarYear.objects.select_for_update().filter(year=year).first()
        before = []
        if record is None:
            record = CalendarYear(year=year)
        else:
            before = [f"{d.date}:{d.kind}" for d in record.days.order_by("date")]
            record.days.all().delete()
        # Dates of the December before belong to this notice; drop any earlier entry for them.
        CalendarDay.objects.filter(date__in=[e.date for e in entries]).delete()
        record.source = source
        record.notice_reference = notice_reference[:120]
        record.entered_by_name = "system" if is_system(actor) else actor.get_username()
        record.save()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(year=record, date=e.date, kind=e.kind, name=e.name[:60])
                for e in sorted(entries, key=lambda e: e.date)
            ]
        )
        after = [f"{e.date}:{e.kind}" for e in sorted(entries, key=lambda e: e.date)]
        audit_record(
            actor=actor,
            action="calendar.year_set",
            target=record,
            changes={"days": [before, after], "notice_reference": [None, notice_reference]},
            message=_("Calendar %(year)d entered from %(source)s.") % {"year": year, "source": source.label},
        )
    selectors.clear_cache()
    return record


def calendar_import_start(*, actor: Actor, upload, year: int, notice_reference: str = ""):
    """Keep the uploaded XLSX outside the web root and import it in the background; the upload is
    an audit event now, the import's result another when the job applies it."""
    # Imported here: the task module imports this one.
    from govcloud.core.services import job_start
    from govcloud.workdays.tasks import calendar_import_task

    require_role(actor, {Role.CENTER_ADMIN})
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads" / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.xlsx"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    with transaction.atomic():
        job = job_start(
            actor=actor,
            kind="calendar.import",
            label=_("Import the %(year)d calendar") % {"year": year},
            task=calendar_import_task,
            params={
                "upload": str(target.relative_to(settings.PRIVATE_MEDIA_ROOT)),
                "year": year,
                "notice_reference": notice_reference,
            },
        )
        audit_record(
            actor=actor,
            action="calendar.import_upload",
            object_type="core.job",
            object_id=job.pk,
            object_repr=str(upload.name)[:200],
        )
    return job
