"""Thin task wrappers over the application services."""

from django_tasks import task

from govcloud.applications.services import application_deadlines_sweep


@task()
def application_deadlines_task() -> dict[str, int]:
    """Warn before the center's decision or the department's acceptance test is due; escalate
    overdue ones to the center administrators (Art. 10)."""
    return application_deadlines_sweep()


@task()
def application_form_render_task(job_id: str) -> dict | None:
    """Lay out an application's form in the background so that its download is immediate."""
    from govcloud.applications.documents.services import application_form_render

    return application_form_render(job_id=job_id)
