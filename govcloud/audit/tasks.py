"""Thin task wrappers over audit services."""

from django.utils import timezone
from django_tasks import task

from govcloud.audit import exports, selectors, services
from govcloud.audit.filters import AuditEventFilter
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, policy_value
from govcloud.core.services import job_attach_file, job_private_path, job_run


@task()
def audit_export_task(job_id: str) -> dict | None:
    def work(job, progress):
        fmt = job.params.get("format", "xlsx")
        queryset = AuditEventFilter(job.params.get("filters", {}), queryset=selectors.events_for(user=job.owner)).qs
        name = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
        path = job_private_path(job, name)
        count = exports.write_events(queryset.order_by("seq"), fmt, path, progress)
        job_attach_file(job=job, path=path, download_name=name)
        return {"rows": count}

    return job_run(job_id=job_id, work=work)


@task()
def audit_verify_task(job_id: str) -> dict | None:
    def work(job, progress):
        result = services.audit_verify(actor=job.owner or SYSTEM, progress=progress)
        return {
            "ok": result.ok,
            "summary": str(result.summary()),
            "broken_seq": result.broken_seq,
            "checked": result.checked,
            "recorded": result.recorded,
        }

    return job_run(job_id=job_id, work=work)


@task()
def audit_purge_task() -> int:
    """Daily: remove events past the retention period (never under 180 days), leaving a checkpoint."""
    return services.audit_purge(actor=SYSTEM, retention_days=int(policy_value(Policy.AUDIT_RETENTION_DAYS)))
