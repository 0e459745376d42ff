"""Thin task wrapper over the maintenance sweep (actor SYSTEM). Its times are in govcloud/schedule.py."""

from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.maintenance import services


@task()
def maintenance_sweep_task() -> dict[str, int]:
    """Remind the departments the day before an approved window, start and complete windows by the
    clock (Art. 12)."""
    return services.maintenance_sweep(actor=SYSTEM)
