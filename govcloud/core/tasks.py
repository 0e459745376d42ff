"""Thin task wrappers over core services."""

from django_tasks import task

from govcloud.core.services import job_reap_stale


@task()
def jobs_reap_stale_task() -> int:
    return job_reap_stale()
