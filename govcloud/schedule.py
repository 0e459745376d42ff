"""Every periodic job of GovCloud, in one place. `manage.py scheduler` (started by `make run` beside
the worker) enqueues each at its times, exactly once however many schedulers run.

Times are cron expressions in Asia/Shanghai.
"""

from django.conf import settings

from govcloud.core.periodic import PeriodicJob

PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        name="audit.purge",
        cron="30 2 * * *",
        task="govcloud.audit.tasks.audit_purge_task",
        description="Remove audit events past the retention period (≥ 180 days), leaving a signed checkpoint.",
    ),
    PeriodicJob(
        name="workdays.seed",
        cron="15 3 * * *",
        task="govcloud.workdays.tasks.calendar_seed_task",
        description="Load any year the chinese-calendar package knows and the database does not.",
    ),
    PeriodicJob(
        name="systems.exemptions_expire",
        cron="10 0 * * *",
        task="govcloud.systems.tasks.exemptions_expire_task",
        description="Expire migration exemptions past their validity (Art. 3); the system goes back to its room.",
    ),
    PeriodicJob(
        name="systems.mlps_reminders",
        cron="30 8 * * *",
        task="govcloud.systems.tasks.mlps_reminders_task",
        description="Warn about MLPS assessments coming due, overdue rectifications, late reviews (once each).",
    ),
    PeriodicJob(
        name="security.grants_expire",
        cron="*/5 * * * *",
        task="govcloud.security.tasks.access_grants_expire_task",
        description="End access grants whose window has passed (Art. 18).",
    ),
    PeriodicJob(
        name="security.bulletins_missing",
        cron="0 9 * * *",
        task="govcloud.security.tasks.bulletins_missing_task",
        description="Warn the center when a month has no security bulletin by its due working day (Art. 17).",
    ),
    PeriodicJob(
        name="security.drills_overdue",
        cron="10 9 * * *",
        task="govcloud.security.tasks.drills_overdue_task",
        description="Warn when an emergency plan has gone a year without a drill (Art. 17).",
    ),
    PeriodicJob(
        name="security.protection_reminders",
        cron="0 8 * * *",
        task="govcloud.security.tasks.protection_plans_remind_task",
        description="Remind the provider to file its protection plan before holidays and major events (Art. 12).",
    ),
    PeriodicJob(
        name="security.notices_deadlines",
        cron="*/15 * * * *",
        task="govcloud.security.tasks.security_notices_sweep_task",
        description="Warn departments before a security notice's rectification deadline; escalate overdue ones "
        "to the center and the department head, once each (Art. 17).",
    ),
    PeriodicJob(
        name="maintenance.sweep",
        cron="*/5 * * * *",
        task="govcloud.maintenance.tasks.maintenance_sweep_task",
        description="Remind the departments the day before an approved maintenance window (once, from the start "
        "of office hours); start and complete windows at their times (Art. 12).",
    ),
    PeriodicJob(
        name="incidents.escalate",
        cron="* * * * *",
        task="govcloud.incidents.tasks.incidents_escalate_task",
        description="Call the backup engineers, then the center, about incidents nobody has answered, "
        "before the response limit passes (Art. 12: 5 minutes).",
    ),
    PeriodicJob(
        name="incidents.major_reports",
        cron="0 23 * * *",
        task="govcloud.incidents.tasks.major_reports_warn_task",
        description="Warn the center at the end of the day of each major incident without its report (Art. 12).",
    ),
    PeriodicJob(
        name="notifications.email_retry",
        cron="*/5 * * * *",
        task="govcloud.notifications.tasks.retry_notification_emails_task",
        description="Send notification e-mails due again (retries, lost tasks); record those that finally fail.",
    ),
    PeriodicJob(
        name="notifications.channel_retry",
        cron="* * * * *",
        task="govcloud.notifications.tasks.retry_channel_deliveries_task",
        description="Send SMS and group-robot messages due again (back-off, lost tasks); record final failures.",
    ),
    PeriodicJob(
        name="jobs.reap_stale",
        cron="*/30 * * * *",
        task="govcloud.core.tasks.jobs_reap_stale_task",
        description="Fail background jobs whose worker died, so nobody waits on them forever.",
    ),
    PeriodicJob(
        name="idempotency.purge",
        cron="40 * * * *",
        task="govcloud.core.tasks.idempotency_keys_purge_task",
        description="Remove idempotency keys (and the answers kept for retries) past their policy period.",
    ),
    PeriodicJob(
        name="applications.deadlines",
        cron="*/10 * * * *",
        task="govcloud.applications.tasks.application_deadlines_task",
        description="Warn before the center's decision or the acceptance test is due; escalate overdue ones (Art. 10).",
    ),
    PeriodicJob(
        name="delivery.deadlines",
        cron="*/10 * * * *",
        task="govcloud.delivery.tasks.work_order_deadlines_task",
        description="Warn the provider before a work order is due; escalate overdue orders to the center (Art. 10).",
    ),
    PeriodicJob(
        name="delivery.provision_sweep",
        cron="*/10 * * * *",
        task="govcloud.delivery.tasks.work_orders_provision_sweep_task",
        description="Re-enqueue automatic work orders whose task was lost or whose worker was killed mid-job.",
    ),
    PeriodicJob(
        name="reconciliation.run",
        cron="17 * * * *",
        task="govcloud.reconciliation.tasks.reconciliation_run_task",
        description="Compare each automatic cloud driver with the ledger: shadow, missing and drifted resources.",
    ),
    PeriodicJob(
        name="budgets.alerts",
        cron="45 8 * * *",
        task="govcloud.budgets.tasks.budget_alerts_sweep_task",
        description="Warn department heads and the center at 80 % and 100 % of a cloud budget (Art. 19).",
    ),
    PeriodicJob(
        name="billing.statements_draft",
        cron="30 1 1-10 * *",
        task="govcloud.billing.tasks.statements_draft_task",
        description="Draft (or re-draft) last month's statements for every department; issued ones never change.",
    ),
    PeriodicJob(
        name="billing.statements_issue",
        cron="0 18 * * *",
        task="govcloud.billing.tasks.statements_issue_task",
        description="Issue statement drafts whose late-data window has passed.",
    ),
    PeriodicJob(
        name="monitoring.collect_drivers",
        cron="*/5 * * * *",
        task="govcloud.monitoring.tasks.driver_usage_collect_task",
        description="Read the usage of the resources in service from the automatic cloud drivers (Art. 12).",
    ),
    PeriodicJob(
        name="monitoring.rollups_hourly",
        cron="7 * * * *",
        task="govcloud.monitoring.tasks.rollups_hourly_task",
        description="Roll up the hours that received utilization samples (average, peak, 95th percentile).",
    ),
    PeriodicJob(
        name="monitoring.rollups_daily",
        cron="20 0,6 * * *",
        task="govcloud.monitoring.tasks.rollups_daily_task",
        description="Roll up the days that received utilization samples (late samples are rolled up again).",
    ),
    PeriodicJob(
        name="monitoring.samples_purge",
        cron="50 2 * * *",
        task="govcloud.monitoring.tasks.samples_purge_task",
        description="Remove raw utilization samples past their retention period (default 35 days); rollups stay.",
    ),
    PeriodicJob(
        name="monitoring.sample_partitions",
        cron="35 2 * * *",
        task="govcloud.monitoring.tasks.sample_partitions_ensure_task",
        description="Create the raw sample table's weekly partitions ahead (PostgreSQL only).",
    ),
    PeriodicJob(
        name="monitoring.alerts_evaluate",
        cron="40 * * * *",
        task="govcloud.monitoring.tasks.alerts_evaluate_task",
        description="Evaluate the alert rules (idle, overloaded, nearly full, anomaly) over the daily rollups: "
        "open, update and close alerts; incidents for the rules that ask for them (Art. 10, 12, 19).",
    ),
    PeriodicJob(
        name="reports.utilization_weekly",
        cron="30 7 * * 1",
        task="govcloud.reports.tasks.utilization_reports_weekly_task",
        description="Build last week's 资源利用情况表, city-wide and per department, after the night's "
        "rollups (Art. 12).",
    ),
    PeriodicJob(
        name="reports.utilization_monthly",
        cron="45 7 1 * *",
        task="govcloud.reports.tasks.utilization_reports_monthly_task",
        description="Build last month's 资源利用情况表, city-wide and per department (Art. 12).",
    ),
    PeriodicJob(
        name="reports.analysis_monthly",
        cron="0 8 1,10 * *",
        task="govcloud.reports.tasks.analysis_report_monthly_task",
        description="Take last month's analysis report for the center; again on the 10th, once the provider's "
        "advice is in (Art. 12).",
    ),
    PeriodicJob(
        name="reports.provider_deadlines",
        cron="5 9 * * *",
        task="govcloud.reports.tasks.provider_reports_deadlines_task",
        description="Warn the provider before its monthly operations report and advice are due, the provider and "
        "the center once they are overdue (Art. 12).",
    ),
    PeriodicJob(
        name="assessment.survey_rounds",
        cron="20 7 * * *",
        task="govcloud.assessment.tasks.survey_rounds_due_task",
        description="Open the departments' satisfaction survey for the period just ended (quarterly by default) "
        "and close rounds past their answer period (Art. 6).",
    ),
    PeriodicJob(
        name="waste.rightsizing",
        cron="10 7 * * *",
        task="govcloud.waste.tasks.rightsizing_generate_task",
        description="Compute the rightsizing advice of every host and database from 30 days of daily peaks "
        "(after the morning's daily rollups) (Art. 10, 19).",
    ),
    PeriodicJob(
        name="waste.expiry",
        cron="30 7 * * *",
        task="govcloud.waste.tasks.expiry_sweep_task",
        description="Warn before needed-until dates, draft terminations on the day for the department to "
        "confirm, escalate to the center after the grace period (Art. 19).",
    ),
]

# Prometheus is asked only where one is configured (GOVCLOUD_PROMETHEUS with a "url").
if (getattr(settings, "GOVCLOUD_PROMETHEUS", None) or {}).get("url"):
    PERIODIC_JOBS.append(
        PeriodicJob(
            name="monitoring.collect_prometheus",
            cron="*/5 * * * *",
            task="govcloud.monitoring.tasks.prometheus_collect_task",
            description="Read the utilization Prometheus holds since the last complete collection (Art. 12).",
        )
    )
