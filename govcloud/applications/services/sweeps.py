"""The deadline sweep (Art. 8, 10): warn whoever must act DEADLINE_WARNING_HOURS before the limit, and
escalate to the center administrators once it has passed. The center's acceptance and decision and the
department's acceptance test are swept here; the provider's work orders by the delivery sweep.
Each warning carries a dedupe key per application, deadline and kind: a sweep run every few minutes
warns once (a new deadline — after a resubmission — warns again)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

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

    accepting = (
        Application.objects.filter(state=ApplicationState.SUBMITTED, acceptance_due_at__lte=horizon)
        .select_related("organization", "system")
        .order_by("acceptance_due_at", "pk")
    )
    for app in accepting:
        due = timezone.localtime(app.acceptance_due_at)
        ctx = {"number": app.number, "org": app.organization.name, "due": f"{due:%Y-%m-%d %H:%M}"}
        stamp = f"{due:%Y%m%d%H%M}"
        try:
            if app.acceptance_due_at <= now:
                if _send(
                    app,
                    recipients=admins,
                    key=f"{Kind.ACCEPTANCE_OVERDUE}:{app.pk}:{stamp}",
                    title=_("The acceptance of application %(number)s (%(org)s) is overdue: it was due %(due)s") % ctx,
                    severity=Severity.DANGER,
                    action="application.acceptance_overdue",
                ):
                    sent["acceptance_escalated"] += 1
            elif _send(
                app,
                recipients=reviewers,
                key=f"{Kind.ACCEPTANCE_DUE}:{app.pk}:{stamp}",
                title=_("Application %(number)s (%(org)s) must be accepted or returned by %(due)s") % ctx,
                severity=Severity.WARNING,
                action="application.acceptance_due_warning",
            ):
                sent["acceptance_warned"] += 1
        except Exception:  # one bad application must not stop the sweep
            logger.exception("deadline sweep failed for application %s", app.pk)

    deciding = (
        Application.objects.filter(state__in=AWAITING_CENTER, decision_due_at__lte=horizon)
        .select_related("organization", "system")
        .order_by("decision_due_at", "pk")
    )
    for app in deciding:
        due = timezone.localtime(app.decision_due_at)
        ctx = {"number": app.number, "org": app.organization.name, "due": f"{due:%Y-%m-%d %H:%M}"}
        stamp = f"{due:%Y%m%d%H%M}"
        try:
            if app.decision_due_at <= now:
                if _send(
                    app,
                    recipients=admins,
                    key=f"applications.decision_overdue:{app.pk}:{stamp}",
                    title=_("The decision on application %(number)s (%(org)s) is overdue: it was due %(due)s") % ctx,
                    severity=Severity.DANGER,
                    action="application.decision_overdue",
                ):
                    sent["decision_escalated"] += 1
            else:
                waiting = reviewers if app.state == ApplicationState.SUBMITTED else admins
                if _send(
                    app,
                    recipients=waiting,
                    key=f"applications.decision_due:{app.pk}:{stamp}",
                    title=_("Application %(number)s (%(org)s) must be decided by %(due)s") % ctx,
                    severity=Severity.WARNING,
                    action="application.decision_due_warning",
                ):
                    sent["decision_warned"] += 1
        except Exception:  # one bad application must not stop the sweep
            logger.exception("deadline sweep failed for application %s", app.pk)

    testing = (
        Application.objects.filter(state=ApplicationState.DELIVERED, test_due_at__lte=horizon)
        .select_related("organization", "system", "created_by")
        .order_by("test_due_at", "pk")
    )
    for app in testing:
        due = timezone.localtime(app.test_due_at)
        ctx = {"number": app.number, "org": app.organization.name, "due": f"{due:%Y-%m-%d %H:%M}"}
        stamp = f"{due:%Y%m%d%H%M}"
        department = creator_and(app, DRAFTERS)
        try:
            if app.test_due_at <= now:
                if _send(
                    app,
                    recipients=[*department, *admins],
                    key=f"applications.test_overdue:{app.pk}:{stamp}",
                    title=_("The acceptance test of application %(number)s (%(org)s) is overdue since %(due)s") % ctx,
                    severity=Severity.DANGER,
                    action="application.test_overdue",
                ):
                    sent["test_escalated"] += 1
            elif _send(
                app,
                recipients=department,
                key=f"applications.test_due:{app.pk}:{stamp}",
                title=_("Test the delivery of application %(number)s and accept it or report defects by %(due)s") % ctx,
                severity=Severity.WARNING,
                action="application.test_due_warning",
            ):
                sent["test_warned"] += 1
        except Exception:
            logger.exception("deadline sweep failed for application %s", app.pk)
    return sent
