"""Thin task wrappers over core services."""

from django_tasks import task

from govcloud.core.services import idempotency_keys_purge, job_reap_stale


@task()
def jobs_reap_stale_task() -> int:
    return job_reap_stale()


@task()
def idempotency_keys_purge_task() -> int:
    return idempotency_keys_purge()
