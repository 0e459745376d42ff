"""Thin task wrappers over the waste-control services (actor SYSTEM). Their times are in
govcloud/schedule.py."""

from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.waste import expiry, services


@task()
def rightsizing_generate_task() -> dict[str, int]:
    """Compute the rightsizing advice of every host and database in service."""
    result = services.advice_generate(actor=SYSTEM)
    return {"created": len(result.created), "superseded": result.superseded, "little_data": result.skipped_little_data}


@task()
def expiry_sweep_task() -> dict[str, int]:
    """Warn before needed-until dates, draft terminations on the day, escalate after the grace."""
    result = expiry.expiry_sweep(actor=SYSTEM)
    return {
        "warned": result.warned,
        "drafted": len(result.drafted),
        "escalated": result.escalated,
        "confirmed": result.confirmed,
        "extended": result.extended,
        "closed": result.closed,
    }
