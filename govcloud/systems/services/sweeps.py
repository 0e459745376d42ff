"""Daily sweeps: expiring exemptions past their validity (Art. 3), and warnings about MLPS
assessments coming due, rectification items past due, exemptions about to expire and reviews or
decisions past their deadline. Warnings carry a dedupe key, so a daily run warns each person once."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.notifications.models import Severity
from govcloud.notifications.services import users_with_roles
from govcloud.systems.models import (
    ExemptionState,
    ExpertAssignment,
    InformationSystem,
    MigrationExemption,
    Rectification,
    RectificationStatus,
)
from govcloud.systems.selectors import with_compliance
from govcloud.systems.services._common import center_admins, department_people, notify_people
from govcloud.systems.services.exemptions import exemption_expire

logger = logging.getLogger(__name__)

# How far ahead a department is warned of an assessment coming due or an exemption expiring. Not a
# regulation number, so not a Policy (yet): see the report to the lead.
WARNING_DAYS = 30


def exemptions_expire_sweep(*, today: date | None = None) -> int:
    """Expire every approved exemption whose last valid day has passed; each in its own transaction,
    so one failure does not hold back the others."""
    today = today or timezone.localdate()
    count = 0
    due = MigrationExemption.objects.filter(state=ExemptionState.APPROVED, valid_until__lt=today).order_by("pk")
    for exemption in due:
        try:
            exemption_expire(actor=SYSTEM, exemption=exemption, today=today)
        except Exception:
            logger.exception("could not expire exemption %s", exemption.pk)
            continue
        count += 1
    return count


def _system_link(system_id: int) -> str:
    return reverse("systems:system_detail", kwargs={"pk": system_id})


def mlps_reminders_sweep(*, today: date | None = None) -> dict[str, int]:
    """Warn the departments (and the center, for what is already late) once per item."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=WARNING_DAYS)
    sent = {"assessment_due": 0, "assessment_overdue": 0, "rectification_overdue": 0, "exemption_expiring": 0}
    sent.update({"vote_overdue": 0, "decision_overdue": 0})
    admins = list(center_admins())
    systems = with_compliance(
        InformationSystem.objects.filter(is_active=True, classified=False, protection_level__gte=2).select_related(
            "organization"
        ),
        today,
    ).filter(mlps_next_due__isnull=False, mlps_next_due__lte=horizon)
    for system in systems:
        due = system.mlps_next_due
        overdue = due < today
        key = f"systems.assessment_{'overdue' if overdue else 'due'}:{system.pk}:{due:%Y%m%d}"
        title = (
            _("The MLPS assessment of “%(name)s” was due by %(due)s")
            if overdue
            else _("The MLPS assessment of “%(name)s” is due by %(due)s")
        ) % {"name": system.name, "due": due}
        recipients = [*department_people(system), *(admins if overdue else [])]
        sent["assessment_overdue" if overdue else "assessment_due"] += notify_people(
            recipients=recipients,
            kind="systems.assessment_due",
            title=title,
            link=_system_link(system.pk),
            severity=Severity.WARNING if overdue else Severity.INFO,
            dedupe_key=key,
        )
    items = Rectification.objects.filter(
        status=RectificationStatus.OPEN, due_on__lt=today, system__is_active=True
    ).select_related("system", "system__organization")
    for item in items:
        sent["rectification_overdue"] += notify_people(
            recipients=[*department_people(item.system), *admins],
            kind="systems.rectification_overdue",
            title=_("A rectification item of “%(name)s” was due by %(due)s: %(item)s")
            % {"name": item.system.name, "due": item.due_on, "item": item.description[:60]},
            link=_system_link(item.system_id),
            severity=Severity.WARNING,
            # A new due date warns again when it too passes.
            dedupe_key=f"systems.rectification_overdue:{item.pk}:{item.due_on:%Y%m%d}",
        )
    expiring = MigrationExemption.objects.filter(
        state=ExemptionState.APPROVED, valid_until__gte=today, valid_until__lte=horizon
    ).select_related("system", "system__organization")
    for exemption in expiring:
        sent["exemption_expiring"] += notify_people(
            recipients=department_people(exemption.system),
            kind="systems.exemption",
            title=_("The migration exemption of “%(name)s” ends on %(date)s: migrate or request a renewal")
            % {"name": exemption.system.name, "date": exemption.valid_until},
            link=reverse("systems:exemption_detail", kwargs={"pk": exemption.pk}),
            severity=Severity.WARNING,
            dedupe_key=f"systems.exemption_expiring:{exemption.pk}:{exemption.valid_until:%Y%m%d}",
        )
    now = timezone.now()
    late_votes = ExpertAssignment.objects.filter(
        vote="", exemption__state=ExemptionState.EXPERT_REVIEW, exemption__review_due_at__lt=now
    ).select_related("expert", "exemption", "exemption__system")
    for assignment in late_votes:
        exemption = assignment.exemption
        sent["vote_overdue"] += notify_people(
            recipients=[assignment.expert, *admins],
            kind="systems.exemption",
            title=_("An expert vote on “%(name)s” is past its deadline (%(expert)s)")
            % {"name": exemption.system.name, "expert": assignment.expert.full_name},
            link=reverse("systems:exemption_detail", kwargs={"pk": exemption.pk}),
            severity=Severity.WARNING,
            dedupe_key=f"systems.vote_overdue:{assignment.pk}",
        )
    late_decisions = MigrationExemption.objects.filter(
        Q(state=ExemptionState.LEADING_GROUP_REVIEW) & Q(decision_due_at__lt=now)
    ).select_related("system")
    leaders = list(users_with_roles({Role.LEADING_GROUP}))
    for exemption in late_decisions:
        sent["decision_overdue"] += notify_people(
            recipients=[*leaders, *admins],
            kind="systems.exemption",
            title=_("The leading group's decision on “%(name)s” is past its deadline")
            % {"name": exemption.system.name},
            link=reverse("systems:exemption_detail", kwargs={"pk": exemption.pk}),
            severity=Severity.WARNING,
            dedupe_key=f"systems.decision_overdue:{exemption.pk}",
        )
    return sent
