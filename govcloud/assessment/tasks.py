"""Thin task wrapper over the satisfaction survey's daily step (actor SYSTEM). Its time is in
govcloud/schedule.py."""

from django_tasks import task

from govcloud.assessment import surveys
from govcloud.core.actors import SYSTEM


@task()
def survey_rounds_due_task() -> dict[str, int]:
    """Close survey rounds past their answer period; open the round about the period that just ended
    (quarterly by default, Art. 6)."""
    return surveys.survey_rounds_due(actor=SYSTEM)
