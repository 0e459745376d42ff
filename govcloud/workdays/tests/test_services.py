from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.workdays import selectors, services
from govcloud.workdays.models import CalendarDay, CalendarSource, CalendarYear, DayKind
from govcloud.workdays.services import DayEntry
from govcloud.workdays.xlsx import parse_workbook
from tests.factories import xlsx_bytes

SH = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def notice_2027() -> list[DayEntry]:
    # A plausible 2027 notice: New Year on Friday 01-01, Spring Festival 02-05..02-11 with Sunday
    # 01-31 and Saturday 02-20 worked.
    entries = [DayEntry(date(2027, 1, 1), DayKind.HOLIDAY, "New Year's Day")]
    entries += [DayEntry(date(2027, 2, d), DayKind.HOLIDAY, "Spring Festival") for d in range(5, 12)]
    entries += [
        DayEntry(date(2027, 1, 31), DayKind.WORKDAY, "Spring Festival"),
        DayEntry(date(2027, 2, 20), DayKind.WORKDAY, "Spring Festival"),
    ]
    return entries


def test_seed_is_idempotent_and_audited():
    added = services.calendar_seed_from_package(actor=SYSTEM)
    assert added[0] == 2004 and added[-1] == 2026
    assert services.calendar_seed_from_package(actor=SYSTEM) == []
    assert CalendarYear.objects.count() == len(added)
    assert AuditEvent.objects.filter(action="calendar.seed").count() == 1


def test_seeded_calendar_gives_the_worked_example():
    services.calendar_seed_from_package(actor=SYSTEM)
    deadline = selectors.deadline_from(datetime(2025, 9, 30, 10, 0, tzinfo=SH), 2)
    assert deadline.due == datetime(2025, 10, 10, 17, 30, tzinfo=SH)


def test_entering_the_2027_notice_makes_deadlines_official(city):
    services.calendar_seed_from_package(actor=SYSTEM)
    before = selectors.deadline_from(datetime(2027, 2, 4, 10, 0, tzinfo=SH), 2)
    assert before.provisional
    admin = city.user(Role.CENTER_ADMIN)
    services.calendar_year_set(actor=admin, year=2027, entries=notice_2027(), notice_reference="国办发明电〔2026〕1号")
    after = selectors.deadline_from(datetime(2027, 2, 4, 10, 0, tzinfo=SH), 2)
    assert not after.provisional
    # 02-05..02-11 holiday; 02-12 (Fri) day 1; 02-13/14 weekend; 02-15 (Mon) day 2.
    assert after.due_date == date(2027, 2, 15)
    event = AuditEvent.objects.get(action="calendar.year_set")
    assert event.actor_username == admin.username


def test_the_same_moment_without_the_notice_uses_the_fallback():
    services.calendar_seed_from_package(actor=SYSTEM)
    deadline = selectors.deadline_from(datetime(2027, 2, 4, 10, 0, tzinfo=SH), 2)
    # Fallback Spring Festival is 02-05..02-08 only: 02-09 day 1, 02-10 day 2.
    assert deadline.due_date == date(2027, 2, 10)


def test_only_the_center_admin_changes_the_calendar(city):
    with pytest.raises(PermissionDenied):
        services.calendar_year_set(actor=city.user(Role.DEPARTMENT_APPLICANT), year=2027, entries=notice_2027())
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    "bad, message",
    [
        (DayEntry(date(2027, 3, 3), DayKind.WORKDAY, ""), "weekday"),
        (DayEntry(date(2028, 1, 1), DayKind.HOLIDAY, ""), "outside"),
        (DayEntry(date(2027, 1, 1), DayKind.HOLIDAY, ""), "twice"),
    ],
)
def test_invalid_notice_changes_nothing(city, bad, message):
    admin = city.user(Role.CENTER_ADMIN)
    with pytest.raises(ValidationError, match=message):
        services.calendar_year_set(actor=admin, year=2027, entries=[*notice_2027(), bad])
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_next_year_warning_from_november():
    assert selectors.next_year_notice_missing(date(2026, 10, 31)) is None
    assert selectors.next_year_notice_missing(date(2026, 11, 1)) == 2027
    CalendarYear.objects.create(year=2027, source=CalendarSource.NOTICE)
    selectors.clear_cache()  # written past the service, which would clear it
    assert selectors.next_year_notice_missing(date(2026, 11, 26)) is None


def test_xlsx_parse_accepts_chinese_kinds():
    entries = parse_workbook(xlsx_bytes([[date(2027, 1, 1), "休", "元旦"], ["2027-01-31", "班", "春节调休"]]))
    assert [(e.date, e.kind) for e in entries] == [
        (date(2027, 1, 1), DayKind.HOLIDAY),
        (date(2027, 1, 31), DayKind.WORKDAY),
    ]


def test_xlsx_errors_name_every_bad_row():
    with pytest.raises(ValidationError) as info:
        parse_workbook(xlsx_bytes([["not a date", "休", ""], [date(2027, 1, 1), "maybe", ""]]))
    text = " ".join(info.value.messages)
    assert "Row 2" in text and "Row 3" in text


def test_xlsx_rejects_a_file_that_is_not_xlsx():
    with pytest.raises(ValidationError):
        parse_workbook(b"this is not a workbook")
