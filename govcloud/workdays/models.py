"""The working-day calendar (Art. 10 deadlines are counted in working days).

A year is *official* once its State Council notice is in the database (seeded from the
`chinese-calendar` package, entered by the center, or imported from XLSX). A day is stored only
when it differs from the rule "Monday to Friday work": a statutory holiday on a weekday, or an
adjusted working day (调休) on a weekend. Holidays that fall on a weekend are stored too, so the
calendar page can name them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("chinese-calendar package")
    NOTICE = "notice", _("State Council notice entered by the center")
    IMPORT = "import", _("XLSX import")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday")
    WORKDAY = "workday", _("Adjusted working day (调休)")


class CalendarYear(TimeStampedModel):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=16, choices=CalendarSource.choices)
    notice_reference = models.CharField(_("notice reference"), max_length=120, blank=True)
    entered_by_name = models.CharField(_("entered by"), max_length=150, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"

    @property
    def is_working_day(self) -> bool:
        return self.kind == DayKind.WORKDAY
