"""Thin task wrappers over the service desk's sweeps (actor SYSTEM). Their times are in
govcloud/schedule.py."""

from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.incidents import services


@task()
def incidents_escalate_task() -> dict[str, int]:
    """Call the backup engineers, then the center, about incidents nobody has answered (Art. 12)."""
    return services.incidents_escalate(actor=SYSTEM)


@task()
def major_reports_warn_task() -> int:
    """Warn the center of major incidents without their same-day report (Art. 12)."""
    return services.major_reports_warn(actor=SYSTEM)
