import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.fields import EncryptedTextField
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


def _own_jobs(user, action):
    return models.Q(owner=user)


class Job(models.Model):
    """A long piece of background work as the user sees it: progress, outcome, result file.

    The task system (django-tasks) runs the work; this row is what the progress bar polls, and it
    stays after the task backend has pruned its own results.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=80)
    label = models.CharField(_("description"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # Relative to settings.PRIVATE_MEDIA_ROOT; served only to the owner through an audited view.
    result_file = models.CharField(max_length=300, blank=True)
    result_filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    # A job is personal: only the person who started it sees it.
    scope_policy = ScopePolicy(org_path=None, own_org={}, extra=_own_jobs)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class PeriodicRun(models.Model):
    """One row per (periodic job, scheduled time): the unique constraint is what makes each run
    happen exactly once however many schedulers are running."""

    name = models.CharField(max_length=100)
    scheduled_for = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "scheduled_for"], name="core_periodicrun_once")]
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.scheduled_for:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """A creating request's idempotency key and the answer it got, so that a repeat of the request
    (a client retrying after a lost connection, a double-clicked form) gets the same answer instead
    of creating a second record. See govcloud/core/idempotency.py.

    The row is inserted before the request's work and completed after it, in the same transaction:
    it exists exactly when the work was done. The unique (user, key) makes a concurrent duplicate
    wait for the first, then find its answer. Rows older than Policy.IDEMPOTENCY_KEY_HOURS are
    purged by a periodic job.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SM3 of the method, full path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.TextField()
    # 0 only inside the transaction that does the work; never seen by another one.
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.TextField(blank=True)
    # The response body (base64), encrypted at rest: it may hold a one-time secret, such as a new
    # API token or an initial password, which must not be readable from a copy of the database.
    body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotencykey_once")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class WorkerHeartbeat(models.Model):
    """A database task worker (`manage.py db_worker`) says it is alive: a task it was running is run
    again by another worker once this stops being updated (govcloud.core.workers)."""

    worker_id = models.CharField(max_length=64, unique=True)
    backend_name = models.CharField(max_length=32, default="default")
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id[:8]})"


__all__ = ["Action", "IdempotencyKey", "Job", "JobStatus", "PeriodicRun", "TimeStampedModel", "WorkerHeartbeat"]

# Registered here so the app's models are all found when `core.models` loads.
from govcloud.core.policy import PolicyValue  # noqa: E402

__all__ += ["PolicyValue"]
