"""The deadline sweep (Art. 8, 10): warn whoever must act DEADLINE_WARNING_HOURS before the limit, and
escalate to the center administrators once it has passed. The center's acceptance and decision and the
department's acceptance test are swept here; the provider's work orders by the delivery sweep.
Each warning carries a dedupe key per application, deadline and kind: a sweep run every few minutes
warns once (a new deadline — after a resubmission — warns again)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.applications.kinds import Kind
from govcloud.applications.models import AWAITING_CENTER, Application, ApplicationState
from govcloud.applications.services.common import DRAFTERS, audit, center_people, creator_and, link
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify

logger = logging.getLogger(__name__)


def _send(app: Application, *, recipients, key: str, title: str, severity: Severity, action: str) -> bool:
    count = notify(
        recipients=recipients,
        kind=key.split(":", 1)[0],
        title=title,
        link=link(app),
        severity=severity,
        dedupe_key=key,
    )
    if count:
        audit(actor=SYSTEM, action=action, application=app, message=title)
    return bool(count)


@dataclass(frozen=True)
class _Limit:
    """One limit the sweep watches: which applications run against it, who is warned before it and who
    is told once it has passed, with the notification kinds, titles (already translated, formatted per
    application) and audit actions of each."""

    name: str
    applications: QuerySet[Application]
    due_field: str
    warn_to: Callable[[Application], list]
    escalate_to: Callable[[Application], list]
    warn_kind: str
    escalate_kind: str
    warn_title: str
    escalate_title: str
    warn_action: str
    escalate_action: str


def _sweep_limit(limit: _Limit, *, now: datetime, horizon: datetime, sent: dict[str, int]) -> None:
    """Warn before the limit, escalate after it; counts go to sent["<name>_warned"/"<name>_escalated"]."""
    due_field = limit.due_field
    applications = limit.applications.filter(**{f"{due_field}__lte": horizon}).order_by(due_field, "pk")
    for app in applications:
        due_at = getattr(app, due_field)
        due = timezone.localtime(due_at)
        ctx = {"number": app.number, "org": app.organization.name, "due": f"{due:%Y-%m-%d %H:%M}"}
        stamp = f"{due:%Y%m%d%H%M}"
        try:
            if due_at <= now:
                if _send(
                    app,
                    recipients=limit.escalate_to(app),
                    key=f"{limit.escalate_kind}:{app.pk}:{stamp}",
                    title=limit.escalate_title % ctx,
                    severity=Severity.DANGER,
                    action=limit.escalate_action,
                ):
                    sent[f"{limit.name}_escalated"] += 1
            elif _send(
                app,
                recipients=limit.warn_to(app),
                key=f"{limit.warn_kind}:{app.pk}:{stamp}",
                title=limit.warn_title % ctx,
                severity=Severity.WARNING,
                action=limit.warn_action,
            ):
                sent[f"{limit.name}_warned"] += 1
        except Exception:  # one bad application must not stop the sweep
            logger.exception("deadline sweep failed for application %s", app.pk)


def application_deadlines_sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    horizon = now + timedelta(hours=int(policy_value(Policy.DEADLINE_WARNING_HOURS)))
    sent = {
        "acceptance_warned": 0,
        "acceptance_escalated": 0,
        "decision_warned": 0,
        "decision_escalated": 0,
        "test_warned": 0,
        "test_escalated": 0,
    }
    reviewers = list(center_people())
    admins = list(center_people({Role.CENTER_ADMIN}))
    limits = [
        _Limit(
            name="acceptance",
            applications=Application.objects.filter(state=ApplicationState.SUBMITTED).select_related(
                "organization", "system"
            ),
            due_field="acceptance_due_at",
            warn_to=lambda app: reviewers,
            escalate_to=lambda app: admins,
            warn_kind=Kind.ACCEPTANCE_DUE,
            escalate_kind=Kind.ACCEPTANCE_OVERDUE,
            warn_title=_("Application %(number)s (%(org)s) must be accepted or returned by %(due)s"),
            escalate_title=_("The acceptance of application %(number)s (%(org)s) is overdue: it was due %(due)s"),
            warn_action="application.acceptance_due_warning",
            escalate_action="application.acceptance_overdue",
        ),
        _Limit(
            name="decision",
            applications=Application.objects.filter(state__in=AWAITING_CENTER).select_related("organization", "system"),
            due_field="decision_due_at",
            # before acceptance the reviewers act; after it, the administrators decide
            warn_to=lambda app: reviewers if app.state == ApplicationState.SUBMITTED else admins,
            escalate_to=lambda app: admins,
            warn_kind=Kind.DECISION_DUE,
            escalate_kind=Kind.DECISION_OVERDUE,
            warn_title=_("Application %(number)s (%(org)s) must be decided by %(due)s"),
            escalate_title=_("The decision on application %(number)s (%(org)s) is overdue: it was due %(due)s"),
            warn_action="application.decision_due_warning",
            escalate_action="application.decision_overdue",
        ),
        _Limit(
            name="test",
            applications=Application.objects.filter(state=ApplicationState.DELIVERED).select_related(
                "organization", "system", "created_by"
            ),
            due_field="test_due_at",
            warn_to=lambda app: creator_and(app, DRAFTERS),
            escalate_to=lambda app: [*creator_and(app, DRAFTERS), *admins],
            warn_kind=Kind.TEST_DUE,
            escalate_kind=Kind.TEST_OVERDUE,
            warn_title=_("Test the delivery of application %(number)s and accept it or report defects by %(due)s"),
            escalate_title=_("The acceptance test of application %(number)s (%(org)s) is overdue since %(due)s"),
            warn_action="application.test_due_warning",
            escalate_action="application.test_overdue",
        ),
    ]
    for limit in limits:
        _sweep_limit(limit, now=now, horizon=horizon, sent=sent)
    return sent
