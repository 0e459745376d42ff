"""Thin task wrappers over the security sweeps (actor SYSTEM). Their times are in
govcloud/schedule.py."""

from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.security import services


@task()
def access_grants_expire_task() -> int:
    """Record the end of every grant whose window has passed (Art. 18)."""
    return services.access_grants_expire(actor=SYSTEM)


@task()
def bulletins_missing_task() -> list[str]:
    """Warn the center when a month's security bulletin is late (Art. 17)."""
    return [f"{month:%Y-%m}" for month in services.bulletins_missing_warn(actor=SYSTEM)]


@task()
def drills_overdue_task() -> int:
    """Warn the center and the provider about plans not drilled within the interval (Art. 17)."""
    return services.drills_overdue_warn(actor=SYSTEM)


@task()
def protection_plans_remind_task() -> int:
    """Remind the provider of protection plans due before holidays and major events (Art. 12)."""
    return services.protection_plans_remind(actor=SYSTEM)


@task()
def security_notices_sweep_task() -> dict[str, int]:
    """Warn departments before a security notice's rectification deadline; escalate overdue ones
    to the center and the department head (Art. 17)."""
    return services.security_notices_sweep(actor=SYSTEM)
