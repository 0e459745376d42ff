"""Utilization monitoring (Art. 7, 12, 19): what each resource of the ledger actually uses.

- `Sample` (监测样本): one measured value of one metric of one resource at one moment, validated on
  the way in (services.samples_ingest) whatever brought it — the provider's push API, the drivers'
  collector, later the XLSX table and Prometheus. Unique on (resource, metric, time), so re-sending
  a batch changes nothing. Raw samples are kept `Policy.MONITORING_RAW_RETENTION_DAYS` days.
- `Rollup` (汇总): per resource, metric and hour or day — average, maximum, 95th percentile and the
  number of samples — computed set-based from the raw samples and kept for years; pages, reports
  and (later) alert rules read rollups, never the raw table.
- `PendingRollup`: the hours and days that received samples since they were last rolled up, so late
  data is rolled up again without re-reading every bucket.
- `IngestBatch`: one row per batch received (who, which path, how many accepted and rejected, the
  first rejections) — the provider's record of what the platform took (Art. 7 usage logs).
- `ImportBatch`: one uploaded utilization table (资源利用情况表, XLSX) — the file kept with its SM3
  digest, the background job that imports it through samples_ingest, its row counts and error
  report (govcloud/monitoring/imports.py, xlsx_import.py).
- `DriverReading`: the last cumulative counters a cloud driver reported for a resource, from which
  the next collection derives rates (CPU % from CPU time).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class Metric(models.TextChoices):
    CPU_PERCENT = "cpu_percent", _("CPU (%)")
    MEMORY_PERCENT = "memory_percent", _("Memory (%)")
    DISK_USED_GB = "disk_used_gb", _("Disk used (GB)")
    DISK_IOPS = "disk_iops", _("Disk IOPS")
    NETWORK_IN_MBPS = "network_in_mbps", _("Network in (Mbps)")
    NETWORK_OUT_MBPS = "network_out_mbps", _("Network out (Mbps)")
    STORAGE_USED_GB = "storage_used_gb", _("Storage used (GB)")


# The values a metric can take; anything outside is a measuring error (CPU 140 %) and is rejected.
# Upper bounds for the absolute metrics are far above anything the catalog offers (a host's disks,
# 10 TB of storage, a 100 Gbit/s port) without letting an overflowed counter through.
METRIC_RANGES: dict[str, tuple[float, float]] = {
    Metric.CPU_PERCENT: (0.0, 100.0),
    Metric.MEMORY_PERCENT: (0.0, 100.0),
    Metric.DISK_USED_GB: (0.0, 1_000_000.0),
    Metric.DISK_IOPS: (0.0, 10_000_000.0),
    Metric.NETWORK_IN_MBPS: (0.0, 100_000.0),
    Metric.NETWORK_OUT_MBPS: (0.0, 100_000.0),
    Metric.STORAGE_USED_GB: (0.0, 100_000_000.0),
}
PERCENT_METRICS = frozenset({Metric.CPU_PERCENT, Metric.MEMORY_PERCENT})


class SampleSource(models.TextChoices):
    PUSH = "push", _("Push API")
    DRIVER = "driver", _("Cloud driver")
    XLSX = "xlsx", _("Utilization table (XLSX)")
    PROMETHEUS = "prometheus", _("Prometheus")
    DEMO = "demo", _("Demo data")


class RejectReason(models.TextChoices):
    INVALID = "invalid", _("Malformed sample")
    UNKNOWN_METRIC = "unknown_metric", _("Unknown metric")
    UNKNOWN_RESOURCE = "unknown_resource", _("Unknown resource")
    NOT_IN_SERVICE = "not_in_service", _("Resource not in service at that time")
    OUT_OF_RANGE = "out_of_range", _("Value out of range")
    IN_FUTURE = "in_future", _("Time in the future")
    TOO_OLD = "too_old", _("Older than the raw sample window")
    DUPLICATE = "duplicate", _("Repeated in the batch")


class Period(models.TextChoices):
    HOUR = "hour", _("Hourly")
    DAY = "day", _("Daily")


# Who reads utilization: whoever reads the ledger (the center, the provider, finance for Art. 19)
# sees every resource's; a department its own and its units'.
USAGE_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER}
# Who pushes samples: the provider's monitoring (Art. 7, 12) — never a department.
SAMPLE_PUSHERS = frozenset({Role.PROVIDER_OPERATOR})

USAGE_SCOPE = ScopePolicy(
    org_path="resource__organization__path",
    see_all={Action.VIEW: USAGE_VIEWERS},
    own_org={Action.VIEW: DEPARTMENT_ROLES},
)


class Sample(models.Model):
    resource = models.ForeignKey(
        "ledger.Resource",
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="samples",
        db_index=False,  # the unique (resource, metric, at) index leads with it
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    at = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=12, choices=SampleSource.choices)

    objects = ScopedManager()
    scope_policy = USAGE_SCOPE

    class Meta:
        constraints = [
            # Idempotent ingest: the same resource, metric and time is stored once.
            models.UniqueConstraint(fields=["resource", "metric", "at"], name="monitoring_sample_once"),
        ]
        # The rollups and the retention read by time.
        indexes = [models.Index(fields=["at"], name="monitoring_sample_at")]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        return f"{self.resource_id} {self.metric} {self.at:%Y-%m-%d %H:%M} {self.value}"


class Rollup(models.Model):
    resource = models.ForeignKey(
        "ledger.Resource",
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="rollups",
        db_index=False,  # the unique (resource, metric, period, start) index leads with it
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    start = models.DateTimeField(_("start"))
    avg = models.FloatField(_("average"))
    max = models.FloatField(_("peak"))
    p95 = models.FloatField(_("95th percentile"))
    count = models.PositiveIntegerField(_("samples"))

    objects = ScopedManager()
    scope_policy = USAGE_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "metric", "period", "start"], name="monitoring_rollup_once"),
        ]
        indexes = [
            # A resource's chart: its metric's days in order (the unique index serves it too);
            # a department's or the city's day: by period and start.
            models.Index(fields=["period", "start"], name="monitoring_rollup_period"),
        ]
        ordering = ["resource", "metric", "period", "start"]
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")

    def __str__(self) -> str:
        return f"{self.resource_id} {self.metric} {self.period} {self.start:%Y-%m-%d %H:%M}"


class PendingRollup(models.Model):
    """An hour or a day that received samples since it was last rolled up."""

    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "start"], name="monitoring_pending_once")]

    def __str__(self) -> str:
        return f"{self.period} {self.start:%Y-%m-%d %H:%M}"


class IngestBatch(models.Model):
    """One batch of samples received, whatever the path (the provider's usage log, Art. 7)."""

    received_at = models.DateTimeField(_("received at"), db_index=True)
    source = models.CharField(_("source"), max_length=12, choices=SampleSource.choices)
    actor_name = models.CharField(_("by"), max_length=150)
    received = models.PositiveIntegerField(_("received"))
    accepted = models.PositiveIntegerField(_("accepted"))
    rejected = models.PositiveIntegerField(_("rejected"))
    # The first rejections ([{"index", "resource", "metric", "reason", "message"}]), for reading.
    rejections = models.JSONField(_("rejections"), default=list, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")

    def __str__(self) -> str:
        return f"{self.source} {self.received_at:%Y-%m-%d %H:%M} {self.accepted}/{self.received}"


class DriverReading(models.Model):
    """The last cumulative counters a cloud driver reported for a resource."""

    resource = models.OneToOneField("ledger.Resource", on_delete=models.CASCADE, related_name="driver_reading")
    driver = models.CharField(max_length=30)
    at = models.DateTimeField()
    cpu_time_ns = models.BigIntegerField()
    disk_read_bytes = models.BigIntegerField(default=0)
    disk_write_bytes = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.driver} {self.resource_id} {self.at:%Y-%m-%d %H:%M}"


# --- Alerts (waste control and operations, Art. 10, 12, 19) ---------------------------------------


class AlertKind(models.TextChoices):
    IDLE = "idle", _("Idle")
    OVERLOADED = "overloaded", _("Overloaded")
    NEARLY_FULL = "nearly_full", _("Nearly full")
    ANOMALY = "anomaly", _("Anomaly")


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# Who edits the alert rules: the center (regulation as data).
RULE_EDITORS = CENTER_ROLES


class AlertRule(models.Model):
    """One rule per kind, seeded with the issue's defaults, the center edits the numbers:
    - idle: the daily CPU peak stayed below `threshold` % on each of the last `window_days` days;
    - overloaded: the daily CPU average stayed above `threshold` % on each of the last `window_days` days;
    - nearly full: the disk or storage used in the last `window_days` days exceeds `threshold` % of
      the capacity the resource's specification gives;
    - anomaly: yesterday's CPU average is more than `threshold` standard deviations and more than
      `change_percent` % away from its mean over the `window_days` days before."""

    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices, unique=True)
    threshold = models.FloatField(_("threshold"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    change_percent = models.FloatField(_("minimum change (%)"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    opens_incident = models.BooleanField(_("opens an incident"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Alert(models.Model):
    """A rule's condition holding for a resource: opened by the evaluation, updated while it holds,
    closed by the evaluation when it clears. One open alert per rule and resource."""

    rule = models.ForeignKey(AlertRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    resource = models.ForeignKey(
        "ledger.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="alerts"
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    state = models.CharField(_("state"), max_length=8, choices=AlertState.choices, default=AlertState.OPEN)
    value = models.FloatField(_("value"))
    threshold = models.FloatField(_("threshold"))
    planned = models.BooleanField(_("planned (maintenance)"), default=False)
    opened_at = models.DateTimeField(_("opened at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedManager()
    scope_policy = USAGE_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "resource"], condition=models.Q(state="open"), name="monitoring_alert_one_open"
            ),
        ]
        indexes = [models.Index(fields=["state", "-opened_at"], name="monitoring_alert_state")]
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.resource_id}"

    @property
    def source_key(self) -> str:
        return f"alert:{self.pk}"


# --- The provider's utilization table (资源利用情况表) imported from XLSX -------------------------


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


# Who uploads the table: whoever may push samples (the provider's staff, Art. 12).
IMPORT_UPLOADERS = SAMPLE_PUSHERS
# Who reads the batches: the provider (its organization's) and the center.
IMPORT_VIEWERS = CENTER_ROLES | IMPORT_UPLOADERS

IMPORT_SCOPE = ScopePolicy(
    # The uploading provider organization's batches are its own; the center reads every batch.
    # A department has none (the table spans every department's resources).
    org_path="organization__path",
    see_all={Action.VIEW: CENTER_ROLES},
    own_org={Action.VIEW: IMPORT_UPLOADERS, Action.CHANGE: IMPORT_UPLOADERS},
)


class ImportBatch(models.Model):
    """One uploaded utilization table: the file as received (kept, with its SM3 digest), the
    background job that reads it, and what became of its rows — accepted (their samples went
    through `samples_ingest`), rejected (each with its reasons, in the downloadable error report)
    and skipped (blank, subtotal and footer rows)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="utilization_imports",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150)
    created_at = models.DateTimeField(_("uploaded at"), db_index=True)
    state = models.CharField(_("state"), max_length=8, choices=ImportState.choices, default=ImportState.QUEUED)
    job = models.ForeignKey(
        "core.Job", verbose_name=_("background job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=200)
    file_path = models.CharField(max_length=300)  # relative to PRIVATE_MEDIA_ROOT
    file_size = models.PositiveIntegerField(_("size (bytes)"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64, db_index=True)
    # An earlier batch of the same file (same digest): said on the page; importing again is safe.
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("same file as"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_accepted = models.PositiveIntegerField(_("accepted rows"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    rows_skipped = models.PositiveIntegerField(_("skipped rows"), default=0)
    samples_accepted = models.PositiveIntegerField(_("samples accepted"), default=0)
    # Why nothing was imported (an unreadable file, no header row found).
    failure = models.TextField(_("reason"), blank=True)
    # The first rejected rows ([{"row", "reasons": [...]}]) for the page; all are in the report.
    rejections = models.JSONField(_("rejections"), default=list, blank=True)
    error_report_path = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = IMPORT_SCOPE

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("utilization table import")
        verbose_name_plural = _("utilization table imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        job = self.job
        if job is None or not job.progress_total:
            return 0
        return min(99, int(job.progress_done * 100 / job.progress_total))
