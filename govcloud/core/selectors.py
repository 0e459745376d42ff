from __future__ import annotations

from govcloud.core.models import Job
from govcloud.core.scoping import get_scoped_or_404


def job_get(*, user, job_id) -> Job:
    """A job the user started; anyone else's answers 404."""
    return get_scoped_or_404(Job, user, pk=job_id)
