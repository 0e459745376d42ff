"""SMS and group-robot deliveries: who gets what, the outbox, sending and retrying.

`notify` calls `channels_queue_for` inside its transaction, after the e-mail rows: an SMS row for
each recipient who wants the kind by SMS (their choice, else the default for their roles, or the
center's mandate for an urgent kind) and has a mobile number, and a robot row for each active robot
that posts the kind (a department's robot when a recipient belongs to the department or its units,
a duty team's robot always). Queueing runs in a savepoint: if it fails, the step that caused the
notification and its e-mails still commit, and the error is logged.

Sending takes one row at a time with a compare-and-set claim; every error (gateway down, slow,
refusing, a robot refusing the signature) leaves that row pending with the error and an
exponentially growing pause, then failed (audited) after the last attempt. One failing row or
channel never holds up another. The periodic sweep picks up rows whose task was lost.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.notifications import robots, sms
from govcloud.notifications.email import site_url
from govcloud.notifications.kinds import wants_sms
from govcloud.notifications.models import (
    Channel,
    ChannelDelivery,
    ChannelMandate,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    Robot,
)
from govcloud.organizations.models import RoleAssignment

logger = logging.getLogger(__name__)

# Exponential back-off: 30 s, 1, 2, 4, 8, 16, 32 min, then capped at an hour; failed after the last.
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 3600
MAX_ATTEMPTS = 10
STALE_CLAIM = timedelta(minutes=15)
BATCH = 200
ROBOT_TIMEOUT_SECONDS = 10
# A gateway's answer is read up to this size (an error page is not worth more).
MAX_ANSWER_BYTES = 65536


def retry_pause(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed attempt."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def mandatory_channels(kind: str) -> set[str]:
    return set(ChannelMandate.objects.filter(kind=kind).values_list("channel", flat=True))


# --- Queueing -------------------------------------------------------------------------------------


def channels_queue_for(notifications: list[Notification], users: Mapping[int, object]) -> list[int]:
    """Write the SMS and robot rows for freshly created notifications (inside the caller's
    transaction, in a savepoint) and schedule their sending for when it commits."""
    if not notifications:
        return []
    try:
        with transaction.atomic():
            ids = _queue(notifications)
    except Exception:
        logger.exception("could not queue SMS / robot messages for %s; the step goes on", notifications[0].kind)
        return []
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _queue(notifications: list[Notification]) -> list[int]:
    first = notifications[0]
    kind, severity = first.kind, first.severity
    by_user = {n.recipient_id: n for n in notifications}
    people = {
        pk: (path or "", phone or "")
        for pk, path, phone in get_user_model()
        .objects.filter(pk__in=list(by_user), is_active=True)
        .values_list("pk", "organization__path", "phone")
    }
    rows: list[ChannelDelivery] = []
    mandated = mandatory_channels(kind)
    if sms.sms_enabled():
        roles: dict[int, set[Role]] = {}
        for user_id, role in RoleAssignment.objects.filter(user_id__in=list(people)).values_list("user_id", "role"):
            roles.setdefault(user_id, set()).add(Role(role))
        choices = dict(
            NotificationPreference.objects.filter(user_id__in=list(people), kind=kind).values_list("user_id", "sms")
        )
        parts_cache: dict[str, list[str]] = {}
        for pk, (path, phone) in people.items():
            if not phone.strip():
                continue
            if Channel.SMS not in mandated and not wants_sms(kind, frozenset(roles.get(pk, ())), choices.get(pk)):
                continue
            note = by_user[pk]
            if note.pk not in parts_cache:
                parts_cache[note.pk] = _sms_parts(note)
            rows.append(
                ChannelDelivery(
                    channel=Channel.SMS,
                    kind=kind,
                    title=note.title,
                    recipient_id=pk,
                    notification=note,
                    organization_path=path,
                    target=sms.mask_phone(phone),
                    payload={"parts": parts_cache[note.pk]},
                )
            )
    paths = [path for path, _phone in people.values() if path]
    for robot in (
        Robot.objects.filter(is_active=True)
        .select_related("organization")
        .only("pk", "name", "platform", "message_format", "kinds", "organization__path", "duty_team_id")
    ):
        if kind not in (robot.kinds or []):
            continue
        org_path = robot.organization.path if robot.organization_id else ""
        if org_path and not any(p.startswith(org_path) for p in paths):
            continue
        rows.append(
            ChannelDelivery(
                channel=Channel.ROBOT,
                kind=kind,
                title=first.title,
                robot=robot,
                notification=first,
                organization_path=org_path,
                target=robot.name[:120],
                payload=robots.robot_message(
                    platform=robot.platform,
                    message_format=robot.message_format,
                    title=first.title,
                    body=first.body,
                    url=site_url(first.link) if first.link else "",
                    severity=severity,
                ),
            )
        )
    if not rows:
        return []
    return [row.pk for row in ChannelDelivery.objects.bulk_create(rows)]


def _sms_parts(note: Notification) -> list[str]:
    config = sms.sms_config()
    link = site_url(sms.short_link(note.link)) if note.link else ""
    if not link.startswith("http"):
        link = ""  # no GOVCLOUD_BASE_URL: a bare path is no use on a phone
    with translation.override(settings.LANGUAGE_CODE):
        text = sms.sms_text(str(note.title), "")
    return sms.sms_segments(
        text,
        signature=config.get("signature", ""),
        link=link,
        max_segments=int(config.get("max_segments") or sms.DEFAULT_MAX_SEGMENTS),
    )


def _enqueue(ids: list[int]) -> None:
    from govcloud.notifications.tasks import send_channel_deliveries_task

    try:
        send_channel_deliveries_task.enqueue(ids)
    except Exception:
        logger.exception("could not enqueue the channel task for deliveries %s; the retry sweep will send them", ids)


# --- Sending --------------------------------------------------------------------------------------


class DeliveryError(Exception):
    pass


def _post_json(url: str, data: dict, *, timeout: float, headers: Mapping[str, str] | None = None) -> object:
    """POST JSON; the parsed answer (or its text). Raises DeliveryError on any failure."""
    body = json.dumps(data, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{type(exc).__name__}: {reason}") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return raw.decode("utf-8", "replace")


def _check_scheme(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryError("the address is not an http(s) address")


_SMS_OK = {"ok", "0", "success"}


def _send_sms(delivery: ChannelDelivery) -> None:
    user = delivery.recipient
    phone = (user.phone or "").strip() if user else ""
    if not phone:
        raise _Skip("no mobile phone number")
    config = sms.sms_config()
    url = config.get("url", "")
    if not url:
        raise DeliveryError("no SMS gateway configured (GOVCLOUD_SMS url)")
    _check_scheme(url)
    headers = {"Authorization": f"Bearer {config['api_key']}"} if config.get("api_key") else {}
    timeout = float(config.get("timeout") or sms.DEFAULT_TIMEOUT_SECONDS)
    parts = list(delivery.payload.get("parts", []))
    for index in range(delivery.parts_sent, len(parts)):
        answer = _post_json(
            url,
            {
                "phone": phone,
                "sign_name": sms.signature_mark(config.get("signature", "")).strip("【】"),
                "template_id": config.get("template_id", ""),
                "template_params": {"content": parts[index]},
                # The gateway may drop a repeat of the same id (a retry after a lost answer).
                "out_id": f"govcloud-{delivery.pk}-{index + 1}",
            },
            timeout=timeout,
            headers=headers,
        )
        if isinstance(answer, dict) and "code" in answer and str(answer["code"]).lower() not in _SMS_OK:
            raise DeliveryError(
                f"gateway refused: {str(answer.get('code'))[:40]} {str(answer.get('message', ''))[:200]}"
            )
        # Remember each accepted part, so a retry sends only the rest.
        ChannelDelivery.objects.filter(pk=delivery.pk).update(parts_sent=index + 1)
        delivery.parts_sent = index + 1


def _send_robot(delivery: ChannelDelivery) -> None:
    robot = delivery.robot
    if robot is None or not robot.is_active:
        raise _Skip("the robot was removed or switched off")
    _check_scheme(robot.webhook_url)
    if not robots.host_allowed(robot.webhook_url):
        raise DeliveryError("the webhook's host is not in GOVCLOUD_ROBOT_HOSTS")
    url = robots.signed_url(robot.webhook_url, platform=robot.platform, secret=robot.secret)
    answer = _post_json(url, delivery.payload, timeout=ROBOT_TIMEOUT_SECONDS)
    if isinstance(answer, dict) and int(answer.get("errcode", 0) or 0) != 0:
        raise DeliveryError(f"robot refused: errcode {answer.get('errcode')} {str(answer.get('errmsg', ''))[:200]}")


class _Skip(Exception):
    pass


SENDERS = {Channel.SMS: _send_sms, Channel.ROBOT: _send_robot}


def _claim(pk: int, now) -> bool:
    return bool(
        ChannelDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    )


def _finish(delivery: ChannelDelivery, status: str, **fields) -> None:
    ChannelDelivery.objects.filter(pk=delivery.pk).update(status=status, **fields)


def _failed(delivery: ChannelDelivery, error: str) -> str:
    error = error[:2000]
    now = timezone.now()
    if delivery.attempts < MAX_ATTEMPTS:
        _finish(
            delivery,
            DeliveryStatus.PENDING,
            last_error=error,
            next_attempt_at=now + retry_pause(delivery.attempts),
        )
        logger.warning(
            "%s delivery %s failed (attempt %s), retrying: %s", delivery.channel, delivery.pk, delivery.attempts, error
        )
        return DeliveryStatus.PENDING
    _finish(delivery, DeliveryStatus.FAILED, last_error=error)
    logger.error("%s delivery %s failed after %s attempts: %s", delivery.channel, delivery.pk, delivery.attempts, error)
    audit_record(
        actor=SYSTEM,
        action=f"notification_{delivery.channel}.failed",
        target=delivery.notification or delivery.robot,
        outcome=Outcome.FAILURE,
        message=f"{delivery.target}: {error}",
        subject_organization_path=delivery.organization_path,
    )
    return DeliveryStatus.FAILED


def channel_deliveries_send(*, ids: Iterable[int] | None = None) -> dict[str, int]:
    """Send the given pending deliveries, or (the sweep) every one that is due. Counts per outcome."""
    now = timezone.now()
    if ids is None:
        ChannelDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
            status=DeliveryStatus.PENDING
        )
        due = ChannelDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    else:
        due = ChannelDelivery.objects.filter(status=DeliveryStatus.PENDING, pk__in=list(ids))
    pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    counts = {
        str(s): 0 for s in (DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)
    }
    for pk in pks:
        if not _claim(pk, now):
            continue
        delivery = ChannelDelivery.objects.select_related("recipient", "robot", "notification").get(pk=pk)
        counts[str(_send_one(delivery))] += 1
    return counts


def _send_one(delivery: ChannelDelivery) -> str:
    try:
        SENDERS[delivery.channel](delivery)
    except _Skip as exc:
        _finish(delivery, DeliveryStatus.SKIPPED, last_error=str(exc))
        return DeliveryStatus.SKIPPED
    except DeliveryError as exc:
        return _failed(delivery, str(exc))
    except Exception as exc:  # a bug or a bad answer must not stop the other deliveries
        logger.exception("%s delivery %s raised", delivery.channel, delivery.pk)
        return _failed(delivery, f"{type(exc).__name__}: {exc}")
    _finish(delivery, DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT
