"""The go-live gate (Art. 11): before a system is formally deployed on the platform it must have
fulfilled its multi-level protection duties — grading and filing (定级备案), assessment (测评) and
rectification (整改).

The application workflow calls `system_go_live_clearance(system=...)`; pages and the API show the
same verdict. The rules:

- a classified (涉密) system never goes on the platform (Art. 3): not cleared;
- a retired system is not cleared;
- the system must be graded (a protection level) and the latest grading filing must carry a
  public-security filing number for that level. The city's Art. 11 asks every system to be graded
  and filed before deployment, so level 1 files too;
- level 2 and above: the latest assessment must be at the current level, have passed, and not be
  out of date (its next due date, computed from the policy, not passed). Level 1 systems need no
  periodic assessment (MLPS rules), so assessments do not block them;
- no open rectification item may be past its due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govcloud.systems.models import AssessmentConclusion, InformationSystem
from govcloud.systems.selectors import with_compliance


@dataclass(frozen=True)
class Clearance:
    cleared: bool
    reasons: list[str] = field(default_factory=list)
    checked_on: date | None = None


def _d(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def clearance_of(system: InformationSystem, today: date | None = None) -> Clearance:
    """The verdict for a system annotated by `selectors.with_compliance` (no query)."""
    today = today or timezone.localdate()
    if system.classified:
        return Clearance(
            False,
            [_("This is a classified (涉密) system: classified systems are not deployed on the platform (Art. 3).")],
            today,
        )
    reasons: list[str] = []
    if not system.is_active:
        reasons.append(_("The system is retired."))
    level = system.protection_level
    if level is None:
        reasons.append(_("The system has no protection level: grade it and file the grading first (Art. 11, 16)."))
    else:
        if not system.mlps_filing_number:
            reasons.append(
                _("The system has no grading filing number from the public security organ (定级备案, Art. 11).")
            )
        elif system.mlps_filing_level != level:
            reasons.append(
                _(
                    "The grading filing %(number)s is for level %(filed)d, but the system is now level %(level)d: "
                    "file the new grading."
                )
                % {"number": system.mlps_filing_number, "filed": system.mlps_filing_level, "level": level}
            )
        if level >= 2:
            conclusion = system.mlps_assessment_conclusion
            if conclusion is None:
                reasons.append(
                    _("A level %(level)d system needs a passing MLPS assessment (测评, Art. 11); none is recorded.")
                    % {"level": level}
                )
            elif system.mlps_assessment_level != level:
                reasons.append(
                    _(
                        "The latest MLPS assessment (%(date)s) was for level %(assessed)d; the system is now level "
                        "%(level)d: assess it at its current level."
                    )
                    % {"date": _d(system.mlps_assessed_on), "assessed": system.mlps_assessment_level, "level": level}
                )
            elif conclusion == AssessmentConclusion.FAIL:
                reasons.append(
                    _(
                        "The latest MLPS assessment (%(date)s, %(body)s) failed: rectify the findings and have the "
                        "system assessed again."
                    )
                    % {"date": _d(system.mlps_assessed_on), "body": system.mlps_assessing_body}
                )
            elif system.mlps_next_due is None or system.mlps_next_due < today:
                reasons.append(
                    _("The MLPS assessment of %(date)s is out of date: the next assessment was due by %(due)s.")
                    % {"date": _d(system.mlps_assessed_on), "due": _d(system.mlps_next_due)}
                )
    if system.mlps_overdue_count:
        reasons.append(
            ngettext(
                "%(count)d rectification item is past its due date (%(due)s) and still open (整改, Art. 11).",
                "%(count)d rectification items are past their due date (the earliest %(due)s) and still open "
                "(整改, Art. 11).",
                system.mlps_overdue_count,
            )
            % {"count": system.mlps_overdue_count, "due": _d(system.mlps_first_overdue_due)}
        )
    return Clearance(not reasons, reasons, today)


def system_go_live_clearance(*, system: InformationSystem, today: date | None = None) -> Clearance:
    """Whether `system` may go live now, and if not, every reason why (one query).

    No user: the caller (the application workflow) has already checked who may see the system.
    """
    today = today or timezone.localdate()
    annotated = with_compliance(InformationSystem.objects.filter(pk=system.pk), today).get()
    return clearance_of(annotated, today)
