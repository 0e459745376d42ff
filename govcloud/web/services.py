"""Writes of the web shell: recording downloads of job results."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.models import Job
from govcloud.core.uploads import private_path


def job_download_open(*, actor, job: Job) -> Path:
    """The file of a finished job (the caller has checked the job is the actor's). Every download
    is an audit event. The path must stay inside the private folder."""
    if not job.result_file:
        raise Http404(_("This job has no file."))
    path = private_path(job.result_file)
    audit_record(
        actor=actor, action="job.download", object_type="core.job", object_id=job.pk, object_repr=job.result_filename
    )
    return path
