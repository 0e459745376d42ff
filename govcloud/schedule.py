"""Every periodic job of GovCloud, in one place. `manage.py scheduler` (started by `make run` beside
the worker) enqueues each at its times, exactly once however many schedulers run.

Times are cron expressions in Asia/Shanghai.
"""

from govcloud.core.periodic import PeriodicJob

PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        name="audit.purge",
        cron="30 2 * * *",
        task="govcloud.audit.tasks.audit_purge_task",
        description="Remove audit events past the retention period (≥ 180 days), leaving a signed checkpoint.",
    ),
    PeriodicJob(
        name="workdays.seed",
        cron="15 3 * * *",
        task="govcloud.workdays.tasks.calendar_seed_task",
        description="Load any year the chinese-calendar package knows and the database does not.",
    ),
    PeriodicJob(
        name="jobs.reap_stale",
        cron="*/30 * * * *",
        task="govcloud.core.tasks.jobs_reap_stale_task",
        description="Fail background jobs whose worker died, so nobody waits on them forever.",
    ),
]
