"""Thin task wrappers over the e-mail outbox (email.py)."""

from django_tasks import task

from govcloud.notifications import email


@task()
def send_notification_emails_task(delivery_ids: list[int]) -> dict[str, int]:
    """Send the e-mails of notifications just created (enqueued when their transaction commits)."""
    return email.email_deliveries_send(ids=delivery_ids)


@task()
def retry_notification_emails_task() -> dict[str, int]:
    """Every few minutes: send what is due again — failed attempts after their pause, deliveries
    whose task was lost, and those a dead worker had claimed."""
    return email.email_deliveries_send()
