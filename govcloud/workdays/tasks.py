"""Thin task wrappers over workdays services."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.core.services import job_run
from govcloud.workdays import services
from govcloud.workdays.models import CalendarSource
from govcloud.workdays.xlsx import parse_workbook


@task()
def calendar_import_task(job_id: str) -> dict | None:
    """Import a year's notice from the uploaded XLSX, as the person who uploaded it."""

    def work(job, progress):
        progress(0, 3, "reading")
        path = Path(settings.PRIVATE_MEDIA_ROOT) / job.params["upload"]
        entries = parse_workbook(path.read_bytes())
        progress(1, 3, "validating")
        record = services.calendar_year_set(
            actor=job.owner or SYSTEM,
            year=int(job.params["year"]),
            entries=entries,
            notice_reference=job.params.get("notice_reference", ""),
            source=CalendarSource.IMPORT,
        )
        progress(3, 3)
        return {"year": record.year, "days": len(entries)}

    return job_run(job_id=job_id, work=work)


@task()
def calendar_seed_task() -> list[int]:
    return services.calendar_seed_from_package(actor=SYSTEM)
