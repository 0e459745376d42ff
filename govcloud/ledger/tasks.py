"""Thin task wrappers over the ledger services."""

from django.utils import timezone
from django_tasks import task

from govcloud.core.services import job_attach_file, job_private_path, job_run
from govcloud.ledger import exports


@task()
def resources_export_task(job_id: str) -> dict | None:
    """Write the ledger XLSX (or CSV) for the person who asked, within their scope and filters."""

    def work(job, progress):
        fmt = job.params.get("format", "xlsx")
        queryset = exports.export_queryset(user=job.owner, filters=job.params.get("filters", {}))
        name = f"ledger-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
        path = job_private_path(job, name)
        count = exports.write_ledger(queryset, path, progress, fmt)
        job_attach_file(job=job, path=path, download_name=name)
        return {"rows": count}

    return job_run(job_id=job_id, work=work)
