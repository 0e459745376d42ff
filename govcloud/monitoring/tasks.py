"""Thin task wrappers over the monitoring services (actor SYSTEM). Their times are in
govcloud/schedule.py."""

from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.monitoring import collectors, services
from govcloud.monitoring.models import Period


@task()
def driver_usage_collect_task() -> dict[str, int]:
    """Ask every automatic cloud driver for the usage of the resources in service it runs."""
    return collectors.driver_usage_collect(actor=SYSTEM)


@task()
def rollups_hourly_task() -> int:
    """Roll up the hours that received samples; the number of hours rolled up."""
    return len(services.rollups_run(actor=SYSTEM, period=Period.HOUR).buckets)


@task()
def rollups_daily_task() -> int:
    """Roll up the days that received samples; the number of days rolled up."""
    return len(services.rollups_run(actor=SYSTEM, period=Period.DAY).buckets)


@task()
def samples_purge_task() -> int:
    """Remove raw samples past the retention policy; the number removed."""
    return services.samples_purge(actor=SYSTEM)


@task()
def alerts_evaluate_task() -> dict[str, int]:
    """Evaluate the alert rules over the daily rollups (after the rollups of the hour)."""
    from govcloud.monitoring.alerts import alerts_evaluate

    result = alerts_evaluate(actor=SYSTEM)
    return {"opened": len(result.opened), "updated": result.updated, "closed": len(result.closed)}


@task()
def utilization_import_task(job_id: str) -> dict | None:
    """Import an uploaded utilization table (资源利用情况表), as the person who uploaded it."""
    from govcloud.core.services import job_run
    from govcloud.monitoring.imports import import_batch_run

    def work(job, progress):
        batch = import_batch_run(actor=job.owner or SYSTEM, batch_id=int(job.params["batch"]), progress=progress)
        return {
            "batch": batch.pk,
            "state": batch.state,
            "accepted": batch.rows_accepted,
            "rejected": batch.rows_rejected,
            "skipped": batch.rows_skipped,
        }

    return job_run(job_id=job_id, work=work)
