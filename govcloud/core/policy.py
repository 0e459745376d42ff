"""Data that is policy: every number of the regulation and of the platform's security, in one place.

Each is a default the center (or the security admin, for security numbers) can change at run time
through `policies.services.policy_set`, which writes an audit event — so another city's measures run
without a code change. Read a value with `policy_value(Policy.X)`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import time as dtime

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import Role


class Policy(models.TextChoices):
    APPROVAL_WORKING_DAYS = "approval_working_days", _("Working days for the center's decision (Art. 10)")
    DELIVERY_WORKING_DAYS = "delivery_working_days", _("Working days for the provider's delivery (Art. 10)")
    OFFICE_HOURS_START = "office_hours_start", _("Office hours start")
    OFFICE_HOURS_END = "office_hours_end", _("Office hours end (a deadline ends at this time)")
    AUDIT_RETENTION_DAYS = "audit_retention_days", _("Days audit events are kept (Cybersecurity Law Art. 21)")
    LOCKOUT_FAILURE_LIMIT = "lockout_failure_limit", _("Failed logins before lockout")
    LOCKOUT_MINUTES = "lockout_minutes", _("Lockout window and duration (minutes)")
    PASSWORD_MAX_AGE_DAYS = "password_max_age_days", _("Days before a password must be changed")
    ACCESS_GRANT_MAX_HOURS = "access_grant_max_hours", _("Longest access grant (hours, Art. 18)")
    INCIDENT_RESPONSE_MINUTES = "incident_response_minutes", _("Incident response time (minutes, Art. 12)")
    INCIDENT_BACKUP_ESCALATION_PERCENT = (
        "incident_backup_escalation_percent",
        _("Share of the response limit after which an unanswered incident goes to the backup engineer (%)"),
    )
    INCIDENT_CENTER_ESCALATION_PERCENT = (
        "incident_center_escalation_percent",
        _("Share of the response limit after which an unanswered incident goes to the center (%)"),
    )
    ASSESSMENT_MONTHS_LEVEL3 = "assessment_months_level3", _("Months between MLPS assessments, level 3 and above")
    ASSESSMENT_MONTHS_LEVEL2 = "assessment_months_level2", _("Months between MLPS assessments, level 2")
    EXEMPTION_VALID_MONTHS = "exemption_valid_months", _("Months a migration exemption is valid (Art. 3)")
    EXPERT_REVIEW_MIN_EXPERTS = "expert_review_min_experts", _("Experts at least in a migration exemption review")
    EXPERT_REVIEW_WORKING_DAYS = "expert_review_working_days", _("Working days for the experts' votes")
    LEADING_GROUP_WORKING_DAYS = "leading_group_working_days", _("Working days for the leading group's decision")
    ATTACHMENT_MAX_MB = "attachment_max_mb", _("Largest attachment (MB)")
    BULLETIN_DUE_WORKING_DAY = (
        "bulletin_due_working_day",
        _("Monthly security bulletin due by this working day (Art. 17)"),
    )
    DRILL_INTERVAL_MONTHS = "drill_interval_months", _("Months between emergency drills (Art. 17)")
    TEST_PERIOD_DAYS = "test_period_days", _("Calendar days the department has to test a delivery")
    DEADLINE_WARNING_HOURS = "deadline_warning_hours", _("Hours before a deadline when the responsible role is warned")
    STAMPED_FORM_REQUIRED = "stamped_form_required", _("Stamped application form scan required (1 = yes, 0 = no)")
    PROTECTION_PLAN_REMINDER_DAYS = (
        "protection_plan_reminder_days",
        _("Days before a holiday or major event to remind the provider of its protection plan (Art. 12)"),
    )
    STATEMENT_LATE_DATA_WORKING_DAYS = (
        "statement_late_data_working_days",
        _("Working days a monthly statement stays a draft for late usage data before it is issued"),
    )
    IDEMPOTENCY_KEY_HOURS = (
        "idempotency_key_hours",
        _("Hours a creating request's idempotency key and answer are kept, so a retry is not done twice"),
    )
    SECURITY_NOTICE_RECTIFICATION_WORKING_DAYS = (
        "security_notice_rectification_working_days",
        _("Working days a department has to rectify after a security notice (Art. 17)"),
    )
    SECURITY_NOTICE_WARNING_WORKING_DAYS = (
        "security_notice_warning_working_days",
        _("Working days before a rectification deadline when the department is warned (Art. 17)"),
    )
    MAINTENANCE_NOTICE_DAYS = (
        "maintenance_notice_days",
        _("Days of notice before planned maintenance; shorter notice only for an emergency (Art. 12)"),
    )
    MONITORING_RAW_RETENTION_DAYS = (
        "monitoring_raw_retention_days",
        _("Days raw utilization samples are kept (rollups are kept for years) (Art. 12)"),
    )
    MONITORING_CLOCK_SKEW_MINUTES = (
        "monitoring_clock_skew_minutes",
        _("Minutes a utilization sample may be ahead of the platform's clock before it is refused"),
    )
    ASSESSMENT_DISPUTE_WORKING_DAYS = (
        "assessment_dispute_working_days",
        _("Working days the provider has to comment on or dispute an assessment (Art. 20)"),
    )
    RIGHTSIZING_WINDOW_DAYS = (
        "rightsizing_window_days",
        _("Days of daily peaks a rightsizing advice reads (Art. 10)"),
    )
    RIGHTSIZING_MIN_DAYS = (
        "rightsizing_min_days",
        _("Days of data at least before a rightsizing advice is given (Art. 10)"),
    )
    RIGHTSIZING_HEADROOM_PERCENT = (
        "rightsizing_headroom_percent",
        _("Headroom added to the peak before rounding up to a catalog size (%) (Art. 10)"),
    )
    EXPIRY_FIRST_WARNING_DAYS = (
        "expiry_first_warning_days",
        _("Days before a resource's needed-until date when the department is first warned (Art. 19)"),
    )
    EXPIRY_SECOND_WARNING_DAYS = (
        "expiry_second_warning_days",
        _("Days before a resource's needed-until date when the department is warned again (Art. 19)"),
    )
    EXPIRY_GRACE_DAYS = (
        "expiry_grace_days",
        _("Days after the needed-until date before an unconfirmed reclamation goes to the center (Art. 19)"),
    )
    TEST_ENVIRONMENT_TERM_DAYS = (
        "test_environment_term_days",
        _("Days a test-environment resource without a needed-until date is kept after going into service"),
    )


class PolicyKind(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    TIME = "time", _("Time of day")


@dataclass(frozen=True)
class PolicyDefinition:
    key: Policy
    kind: PolicyKind
    default: int | dtime
    minimum: int | None = None
    maximum: int | None = None
    # Which roles may change it: center numbers belong to the center admin, security numbers to the
    # security admin (三员分立).
    editors: frozenset[Role] = frozenset({Role.CENTER_ADMIN})
    source: str = ""


_SECURITY = frozenset({Role.SECURITY_ADMIN})

DEFINITIONS: dict[Policy, PolicyDefinition] = {
    d.key: d
    for d in [
        PolicyDefinition(Policy.APPROVAL_WORKING_DAYS, PolicyKind.INTEGER, 2, 1, 30, source="第十条"),
        PolicyDefinition(Policy.DELIVERY_WORKING_DAYS, PolicyKind.INTEGER, 2, 1, 30, source="第十条"),
        PolicyDefinition(Policy.OFFICE_HOURS_START, PolicyKind.TIME, dtime(9, 0)),
        PolicyDefinition(Policy.OFFICE_HOURS_END, PolicyKind.TIME, dtime(17, 30)),
        # The Cybersecurity Law (Art. 21) requires at least six months: never less than 180.
        PolicyDefinition(
            Policy.AUDIT_RETENTION_DAYS, PolicyKind.INTEGER, 180, 180, 3650, _SECURITY, "网络安全法第二十一条"
        ),
        PolicyDefinition(Policy.LOCKOUT_FAILURE_LIMIT, PolicyKind.INTEGER, 5, 3, 20, _SECURITY),
        PolicyDefinition(Policy.LOCKOUT_MINUTES, PolicyKind.INTEGER, 15, 1, 1440, _SECURITY),
        PolicyDefinition(Policy.PASSWORD_MAX_AGE_DAYS, PolicyKind.INTEGER, 90, 1, 365, _SECURITY),
        PolicyDefinition(Policy.ACCESS_GRANT_MAX_HOURS, PolicyKind.INTEGER, 72, 1, 720, source="第十八条"),
        PolicyDefinition(Policy.INCIDENT_RESPONSE_MINUTES, PolicyKind.INTEGER, 5, 1, 120, source="第十二条"),
        PolicyDefinition(Policy.INCIDENT_BACKUP_ESCALATION_PERCENT, PolicyKind.INTEGER, 60, 10, 95, source="第十二条"),
        PolicyDefinition(Policy.INCIDENT_CENTER_ESCALATION_PERCENT, PolicyKind.INTEGER, 80, 10, 99, source="第十二条"),
        PolicyDefinition(Policy.ASSESSMENT_MONTHS_LEVEL3, PolicyKind.INTEGER, 12, 1, 36, source="第十一条"),
        PolicyDefinition(Policy.ASSESSMENT_MONTHS_LEVEL2, PolicyKind.INTEGER, 24, 1, 60, source="第十一条"),
        PolicyDefinition(Policy.EXEMPTION_VALID_MONTHS, PolicyKind.INTEGER, 12, 1, 60, source="第三条"),
        PolicyDefinition(Policy.EXPERT_REVIEW_MIN_EXPERTS, PolicyKind.INTEGER, 3, 3, 15, source="第三条"),
        PolicyDefinition(Policy.EXPERT_REVIEW_WORKING_DAYS, PolicyKind.INTEGER, 10, 1, 60, source="第三条"),
        PolicyDefinition(Policy.LEADING_GROUP_WORKING_DAYS, PolicyKind.INTEGER, 10, 1, 60, source="第三条"),
        PolicyDefinition(Policy.ATTACHMENT_MAX_MB, PolicyKind.INTEGER, 20, 1, 200, _SECURITY),
        PolicyDefinition(Policy.BULLETIN_DUE_WORKING_DAY, PolicyKind.INTEGER, 5, 1, 20, source="第十七条"),
        PolicyDefinition(Policy.DRILL_INTERVAL_MONTHS, PolicyKind.INTEGER, 12, 1, 24, source="第十七条"),
        PolicyDefinition(Policy.TEST_PERIOD_DAYS, PolicyKind.INTEGER, 7, 1, 90, source="第八条"),
        PolicyDefinition(Policy.DEADLINE_WARNING_HOURS, PolicyKind.INTEGER, 4, 1, 48, source="第十条"),
        PolicyDefinition(Policy.STAMPED_FORM_REQUIRED, PolicyKind.INTEGER, 0, 0, 1, source="第九条"),
        PolicyDefinition(Policy.PROTECTION_PLAN_REMINDER_DAYS, PolicyKind.INTEGER, 10, 1, 60, source="第十二条"),
        PolicyDefinition(Policy.STATEMENT_LATE_DATA_WORKING_DAYS, PolicyKind.INTEGER, 3, 0, 20, source="第七条"),
        # A retry comes within minutes; a day covers a client that retries the next morning. The
        # stored answers may hold one-time secrets (encrypted), so they are not kept for long.
        PolicyDefinition(Policy.IDEMPOTENCY_KEY_HOURS, PolicyKind.INTEGER, 24, 1, 720, _SECURITY),
        PolicyDefinition(
            Policy.SECURITY_NOTICE_RECTIFICATION_WORKING_DAYS, PolicyKind.INTEGER, 10, 1, 60, source="第十七条"
        ),
        PolicyDefinition(Policy.SECURITY_NOTICE_WARNING_WORKING_DAYS, PolicyKind.INTEGER, 2, 1, 20, source="第十七条"),
        PolicyDefinition(Policy.MAINTENANCE_NOTICE_DAYS, PolicyKind.INTEGER, 3, 0, 60, source="第十二条"),
        # Raw samples feed the daily rollups and a month's report: never less than a week.
        PolicyDefinition(Policy.MONITORING_RAW_RETENTION_DAYS, PolicyKind.INTEGER, 35, 7, 400, source="第十二条"),
        PolicyDefinition(Policy.MONITORING_CLOCK_SKEW_MINUTES, PolicyKind.INTEGER, 5, 0, 60, source="第七条"),
        PolicyDefinition(Policy.ASSESSMENT_DISPUTE_WORKING_DAYS, PolicyKind.INTEGER, 5, 1, 30, source="第二十条"),
        # Waste control (issue 13 §3): the advice reads at most the raw/rollup month it is built on.
        PolicyDefinition(Policy.RIGHTSIZING_WINDOW_DAYS, PolicyKind.INTEGER, 30, 7, 90, source="第十条"),
        PolicyDefinition(Policy.RIGHTSIZING_MIN_DAYS, PolicyKind.INTEGER, 14, 1, 90, source="第十条"),
        PolicyDefinition(Policy.RIGHTSIZING_HEADROOM_PERCENT, PolicyKind.INTEGER, 30, 0, 300, source="第十条"),
        PolicyDefinition(Policy.EXPIRY_FIRST_WARNING_DAYS, PolicyKind.INTEGER, 30, 1, 180, source="第十九条"),
        PolicyDefinition(Policy.EXPIRY_SECOND_WARNING_DAYS, PolicyKind.INTEGER, 7, 1, 90, source="第十九条"),
        PolicyDefinition(Policy.EXPIRY_GRACE_DAYS, PolicyKind.INTEGER, 15, 0, 90, source="第十九条"),
        PolicyDefinition(Policy.TEST_ENVIRONMENT_TERM_DAYS, PolicyKind.INTEGER, 90, 7, 730, source="第八条"),
    ]
}


class PolicyValue(models.Model):
    """A changed policy; a policy without a row has its default."""

    # No `choices` here: the list of policies grows with each capability, and the services validate keys.
    key = models.CharField(max_length=64, unique=True)
    value = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "core"

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


def parse(definition: PolicyDefinition, raw: str) -> int | dtime:
    if definition.kind == PolicyKind.TIME:
        return dtime.fromisoformat(raw)
    return int(raw)


def serialize(definition: PolicyDefinition, value: int | dtime) -> str:
    if definition.kind == PolicyKind.TIME:
        return value.strftime("%H:%M")
    return str(int(value))


# Every web and worker process caches the whole (small) table for a few seconds: a change reaches
# every process within that time, and a request never pays more than one query for policies.
_CACHE_SECONDS = 10.0
_cache: dict[str, str] = {}
# Never loaded: minus infinity, because time.monotonic() counts from boot and can be smaller than
# the cache's lifetime on a machine that has just started.
_cache_loaded_at = float("-inf")
_lock = threading.Lock()


def clear_cache() -> None:
    global _cache_loaded_at
    with _lock:
        _cache_loaded_at = float("-inf")


def _values() -> dict[str, str]:
    global _cache, _cache_loaded_at
    with _lock:
        if time.monotonic() - _cache_loaded_at > _CACHE_SECONDS:
            _cache = dict(PolicyValue.objects.values_list("key", "value"))
            _cache_loaded_at = time.monotonic()
        return _cache


def policy_value(key: Policy) -> int | dtime:
    definition = DEFINITIONS[key]
    raw = _values().get(key)
    if raw is None:
        return definition.default
    try:
        return parse(definition, raw)
    except ValueError:
        return definition.default
