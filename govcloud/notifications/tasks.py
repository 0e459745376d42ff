"""Thin task wrappers over the e-mail outbox (email.py) and the SMS / robot outbox (channels.py)."""

from django_tasks import task

from govcloud.notifications import channels, email


@task()
def send_notification_emails_task(delivery_ids: list[int]) -> dict[str, int]:
    """Send the e-mails of notifications just created (enqueued when their transaction commits)."""
    return email.email_deliveries_send(ids=delivery_ids)


@task()
def retry_notification_emails_task() -> dict[str, int]:
    """Every few minutes: send what is due again — failed attempts after their pause, deliveries
    whose task was lost, and those a dead worker had claimed."""
    return email.email_deliveries_send()


@task()
def send_channel_deliveries_task(delivery_ids: list[int]) -> dict[str, int]:
    """Send the SMS and robot messages of notifications just created."""
    return channels.channel_deliveries_send(ids=delivery_ids)


@task()
def retry_channel_deliveries_task() -> dict[str, int]:
    """Every minute: send the SMS and robot messages due again (back-off elapsed, lost tasks)."""
    return channels.channel_deliveries_send()
