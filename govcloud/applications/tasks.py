"""Thin task wrappers over the application services."""

from django_tasks import task

from govcloud.applications.services import application_deadlines_sweep


@task()
def application_deadlines_task() -> dict[str, int]:
    """Warn before the center's decision or the department's acceptance test is due; escalate
    overdue ones to the center administrators (Art. 10)."""
    return application_deadlines_sweep()
