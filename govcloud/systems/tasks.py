"""Thin task wrappers over the systems services (the export job and the daily sweeps)."""

from django.utils import timezone
from django_tasks import task

from govcloud.core.services import job_attach_file, job_private_path, job_run
from govcloud.systems.services import exports, sweeps


@task()
def systems_export_task(job_id: str) -> dict | None:
    """Write the registry and compliance XLSX for the person who asked, within their scope."""

    def work(job, progress):
        fmt = job.params.get("format", "xlsx")
        queryset = exports.export_queryset(user=job.owner, filters=job.params.get("filters", {}))
        name = f"systems-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
        path = job_private_path(job, name)
        count = exports.write_registry(queryset, path, progress, fmt)
        job_attach_file(job=job, path=path, download_name=name)
        return {"rows": count}

    return job_run(job_id=job_id, work=work)


@task()
def exemptions_expire_task() -> int:
    """Daily: approved migration exemptions past their validity expire (Art. 3)."""
    return sweeps.exemptions_expire_sweep()


@task()
def mlps_reminders_task() -> dict[str, int]:
    """Daily: warn about assessments coming due, overdue rectifications, expiring exemptions and
    late expert votes or leading-group decisions (each warning once per item)."""
    return sweeps.mlps_reminders_sweep()
