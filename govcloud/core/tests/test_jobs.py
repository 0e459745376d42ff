from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from govcloud.core.models import Job, JobStatus
from govcloud.core.services import job_reap_stale, job_run

pytestmark = pytest.mark.django_db


def test_job_records_progress_and_result():
    job = Job.objects.create(kind="t", label="t")
    seen = []

    def work(j, progress):
        for i in range(1, 11):
            progress(i, 10)
            seen.append(Job.objects.get(pk=j.pk).progress_done)
        return {"rows": 10}

    assert job_run(job_id=str(job.pk), work=work) == {"rows": 10}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100 and job.result == {"rows": 10}
    assert seen == list(range(1, 11))


def test_bad_input_fails_the_job_with_reasons():
    job = Job.objects.create(kind="t", label="t")

    def work(j, progress):
        raise ValidationError(["Row 2: wrong"])

    job_run(job_id=str(job.pk), work=work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["errors"] == ["Row 2: wrong"]


def test_a_crash_fails_the_job_and_is_raised_for_the_task_backend():
    job = Job.objects.create(kind="t", label="t")

    def work(j, progress):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        job_run(job_id=str(job.pk), work=work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "disk full" in job.message


def test_a_duplicate_delivery_does_not_run_twice():
    job = Job.objects.create(kind="t", label="t")
    runs = []
    job_run(job_id=str(job.pk), work=lambda j, p: runs.append(1) or {"n": 1})
    job_run(job_id=str(job.pk), work=lambda j, p: runs.append(1) or {"n": 2})
    assert runs == [1]


def test_stale_running_jobs_are_reaped(time_machine):
    time_machine.move_to("2026-11-26 08:00:00+08:00", tick=False)
    job = Job.objects.create(kind="t", label="t", status=JobStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(started_at="2026-11-26 00:00:00+08:00")
    assert job_reap_stale() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
