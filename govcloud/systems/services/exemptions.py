"""The migration exemption workflow (Art. 3): a system that cannot migrate needs an expert review
organized by the e-government center AND the approval of the e-government leading group.

    draft ──submit──▶ submitted ──assign_experts──▶ expert_review ──forward──▶ leading_group_review
      ▲                   │ return                    │ vote (each expert once)     │ approve / reject
      └───────────────────┘                           │                             ▼
    (draft, submitted, expert_review) ──withdraw──▶ withdrawn          approved ──expire──▶ expired
                                                                          │ supersede (a renewal approved)
                                                                          ▼
                                                                       superseded

Every transition goes through `_transition`: it checks scope (404) and role (403), locks the row,
checks the state and the transition's own rule, writes one audit event and one timeline entry, and
notifies whoever acts next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor, actor_name, is_system, platform_actor_name
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.notifications.models import Severity
from govcloud.organizations.models import User
from govcloud.systems.dates import validity_end
from govcloud.systems.models import (
    OPEN_EXEMPTION_STATES,
    SYSTEM_EDITORS,
    ExemptionAction,
    ExemptionEvent,
    ExemptionState,
    ExpertAssignment,
    HostingStatus,
    InformationSystem,
    MigrationExemption,
    Vote,
)
from govcloud.systems.services._common import (
    audit,
    center_admins,
    check_scope,
    check_system_writable,
    department_people,
    lock_system,
    notify_people,
    refuse_if_classified,
)
from govcloud.workdays.selectors import deadline_from

S, A = ExemptionState, ExemptionAction
_CENTER = frozenset({Role.CENTER_ADMIN})
_EXPERT = frozenset({Role.EXPERT})
_LEADING = frozenset({Role.LEADING_GROUP})
_PLATFORM_ONLY: frozenset[Role] = frozenset()  # only the platform itself (SYSTEM: the sweep)


@dataclass(frozen=True)
class Transition:
    to: ExemptionState
    roles: frozenset[Role]


# The workflow, declared once: (state, action) -> (next state, who may do it).
TRANSITIONS: dict[tuple[ExemptionState, ExemptionAction], Transition] = {
    (S.DRAFT, A.SUBMIT): Transition(S.SUBMITTED, SYSTEM_EDITORS),
    (S.DRAFT, A.WITHDRAW): Transition(S.WITHDRAWN, SYSTEM_EDITORS),
    (S.SUBMITTED, A.WITHDRAW): Transition(S.WITHDRAWN, SYSTEM_EDITORS),
    (S.EXPERT_REVIEW, A.WITHDRAW): Transition(S.WITHDRAWN, SYSTEM_EDITORS),
    (S.SUBMITTED, A.RETURN): Transition(S.DRAFT, _CENTER),
    (S.SUBMITTED, A.ASSIGN_EXPERTS): Transition(S.EXPERT_REVIEW, _CENTER),
    (S.EXPERT_REVIEW, A.VOTE): Transition(S.EXPERT_REVIEW, _EXPERT),
    (S.EXPERT_REVIEW, A.FORWARD): Transition(S.LEADING_GROUP_REVIEW, _CENTER),
    (S.LEADING_GROUP_REVIEW, A.APPROVE): Transition(S.APPROVED, _LEADING),
    (S.LEADING_GROUP_REVIEW, A.REJECT): Transition(S.REJECTED, _LEADING),
    (S.APPROVED, A.EXPIRE): Transition(S.EXPIRED, _PLATFORM_ONLY),
    # The leading group's approval of a renewal replaces the approval it renews.
    (S.APPROVED, A.SUPERSEDE): Transition(S.SUPERSEDED, _LEADING),
}
# Who may take an action at all, whatever the state (checked before the state, so that someone
# without the role learns nothing about where a request stands).
ACTION_ROLES: dict[ExemptionAction, frozenset[Role]] = {}
for (_state, _action), _t in TRANSITIONS.items():
    ACTION_ROLES[_action] = ACTION_ROLES.get(_action, frozenset()) | _t.roles


def allowed_actions(exemption: MigrationExemption, roles: Iterable[Role]) -> set[ExemptionAction]:
    """Actions these roles could take on the request in its current state (for pages and the API;
    the services still check everything)."""
    roles = set(roles)
    return {action for (state, action), t in TRANSITIONS.items() if state == exemption.state and t.roles & roles}


def _link(exemption: MigrationExemption) -> str:
    return reverse("systems:exemption_detail", kwargs={"pk": exemption.pk})


# The platform's own steps (SYSTEM) have always been recorded here as "Platform" (平台), not
# core's "System": hence platform_actor_name(actor).


Guard = Callable[[MigrationExemption], dict | None]


def _transition(
    *,
    actor: Actor,
    exemption: MigrationExemption,
    action: ExemptionAction,
    comment: str = "",
    apply: Guard | None = None,
    event_comment: str | None = None,
) -> MigrationExemption:
    """Run one transition of the table. `apply` checks the transition's own rule (raising
    ValidationError) and makes its changes on the locked row, returning extra audit changes."""
    if not is_system(actor):
        # Out of scope answers like a missing request; experts and the leading group see (and act
        # on) what the scope lets them view, the department what it may change.
        check_scope(actor, MigrationExemption, exemption.pk, Action.VIEW)
        require_role(actor, ACTION_ROLES.get(action, frozenset()) or {Role.CENTER_ADMIN})
        if ACTION_ROLES[action] <= SYSTEM_EDITORS:
            check_scope(actor, MigrationExemption, exemption.pk, Action.CHANGE)
    elif ACTION_ROLES.get(action) is None:
        raise ValidationError(_("Unknown action."))
    with transaction.atomic():
        row = (
            MigrationExemption.objects.select_for_update(of=("self",))
            .select_related("system", "system__organization", "renewal_of")
            .get(pk=exemption.pk)
        )
        transition = TRANSITIONS.get((ExemptionState(row.state), action))
        if transition is None:
            raise StateConflict(
                _("“%(action)s” is not possible while the request is “%(state)s”.")
                % {"action": ExemptionAction(action).label, "state": ExemptionState(row.state).label}
            )
        if not is_system(actor):
            require_role(actor, transition.roles)
        before = row.state
        extra = (apply(row) if apply else None) or {}
        row.state = transition.to
        row.save()
        ExemptionEvent.objects.create(
            exemption=row,
            actor=None if is_system(actor) else actor,
            actor_name=platform_actor_name(actor),
            action=action,
            from_state=before,
            to_state=row.state,
            comment=comment if event_comment is None else event_comment,
        )
        audit(
            actor=actor,
            action=f"exemption.{action}",
            target=row,
            system=row.system,
            changes={"state": [before, row.state], **extra} if before != row.state else extra or None,
            message=comment,
        )
        _notify_next(row, action)
    return row


# --- Who acts next --------------------------------------------------------------------------------


def _notify_next(exemption: MigrationExemption, action: ExemptionAction) -> None:
    system = exemption.system
    link = _link(exemption)
    name = system.name
    kind = "systems.exemption"
    if action == A.SUBMIT:
        notify_people(
            recipients=center_admins(),
            kind=kind,
            title=_("Migration exemption request for “%(name)s”: organize the expert review") % {"name": name},
            link=link,
        )
    elif action == A.RETURN:
        notify_people(
            recipients=department_people(system),
            kind=kind,
            title=_("Your exemption request for “%(name)s” was returned for correction") % {"name": name},
            link=link,
            severity=Severity.WARNING,
        )
    elif action == A.ASSIGN_EXPERTS:
        due = timezone.localtime(exemption.review_due_at).strftime("%Y-%m-%d %H:%M")
        notify_people(
            recipients=[a.expert for a in exemption.assignments.select_related("expert")],
            kind=kind,
            title=_("Review the migration exemption of “%(name)s” by %(due)s") % {"name": name, "due": due},
            link=link,
        )
    elif action == A.VOTE:
        if not exemption.assignments.filter(vote="").exists():
            notify_people(
                recipients=center_admins(),
                kind=kind,
                title=_("All experts have voted on “%(name)s”: forward it to the leading group") % {"name": name},
                link=link,
            )
    elif action == A.FORWARD:
        due = timezone.localtime(exemption.decision_due_at).strftime("%Y-%m-%d %H:%M")
        notify_people(
            recipients=User.objects.filter(is_active=True, role_assignments__role=Role.LEADING_GROUP).distinct(),
            kind=kind,
            title=_("Decide the migration exemption of “%(name)s” by %(due)s") % {"name": name, "due": due},
            link=link,
        )
    elif action in (A.APPROVE, A.REJECT):
        title = (
            _("The leading group approved the migration exemption of “%(name)s” until %(until)s")
            % {"name": name, "until": exemption.valid_until}
            if action == A.APPROVE
            else _("The leading group rejected the migration exemption of “%(name)s”") % {"name": name}
        )
        notify_people(
            recipients=[*department_people(system), *center_admins()],
            kind=kind,
            title=title,
            link=link,
            severity=Severity.INFO if action == A.APPROVE else Severity.WARNING,
        )
    elif action == A.EXPIRE:
        notify_people(
            recipients=[*department_people(system), *center_admins()],
            kind=kind,
            title=_("The migration exemption of “%(name)s” has expired: migrate the system or request a renewal")
            % {"name": name},
            link=link,
            severity=Severity.WARNING,
        )
    elif action == A.WITHDRAW:
        notify_people(
            recipients=[*center_admins(), *(a.expert for a in exemption.assignments.select_related("expert"))],
            kind=kind,
            title=_("The migration exemption request for “%(name)s” was withdrawn") % {"name": name},
            link=link,
        )


# --- Creating and editing a request ---------------------------------------------------------------


def _check_eligible(system: InformationSystem) -> None:
    refuse_if_classified(system)
    if not system.is_active:
        raise ValidationError(_("The system is retired."))
    if system.hosting_status == HostingStatus.ON_PLATFORM:
        raise ValidationError(_("The system already runs on the platform; there is nothing to exempt."))


def _reasons(reasons: str) -> str:
    reasons = (reasons or "").strip()
    if len(reasons) < 10:
        raise ValidationError({"reasons": _("Explain why the system cannot migrate (at least 10 characters).")})
    return reasons


def exemption_create(
    *,
    actor: Actor,
    system: InformationSystem,
    reasons: str,
    renewal_of: MigrationExemption | None = None,
) -> MigrationExemption:
    """Start a request (a draft, to which evidence can be attached before submitting). A request
    for a system whose exemption is approved or expired renews that exemption."""
    check_system_writable(actor, system)
    _check_eligible(system)
    reasons = _reasons(reasons)
    with transaction.atomic():
        system = lock_system(system)
        if system.exemptions.filter(state__in=OPEN_EXEMPTION_STATES).exists():
            raise ValidationError(_("This system already has a request in progress."))
        if renewal_of is None:
            renewal_of = system.exemptions.filter(state__in=[S.APPROVED, S.EXPIRED]).order_by("-decided_at").first()
        elif renewal_of.system_id != system.pk or renewal_of.state not in (S.APPROVED, S.EXPIRED):
            raise ValidationError({"renewal_of": _("Only an approved or expired exemption of this system is renewed.")})
        exemption = MigrationExemption(
            system=system,
            reasons=reasons,
            renewal_of=renewal_of,
            requested_by=None if is_system(actor) else actor,
        )
        try:
            with transaction.atomic():
                exemption.save()
        except IntegrityError as exc:
            raise ValidationError(_("This system already has a request in progress.")) from exc
        ExemptionEvent.objects.create(
            exemption=exemption,
            actor=None if is_system(actor) else actor,
            actor_name=platform_actor_name(actor),
            action=A.CREATE,
            to_state=exemption.state,
        )
        audit(
            actor=actor,
            action="exemption.create",
            target=exemption,
            system=system,
            changes={
                "state": [None, exemption.state],
                "reasons": [None, reasons],
                "renewal_of": [None, renewal_of.pk if renewal_of else None],
            },
        )
    return exemption


def exemption_update(*, actor: Actor, exemption: MigrationExemption, reasons: str) -> MigrationExemption:
    """Edit the reasons of a draft (also after the center returned it for correction)."""
    require_role(actor, SYSTEM_EDITORS)
    check_scope(actor, MigrationExemption, exemption.pk, Action.CHANGE)
    reasons = _reasons(reasons)
    with transaction.atomic():
        row = (
            MigrationExemption.objects.select_for_update(of=("self",))
            .select_related("system__organization")
            .get(pk=exemption.pk)
        )
        if row.state != S.DRAFT:
            raise ValidationError(_("Only a draft can be edited."))
        if row.reasons != reasons:
            before = row.reasons
            row.reasons = reasons
            row.save(update_fields=["reasons", "updated_at"])
            audit(
                actor=actor,
                action="exemption.update",
                target=row,
                system=row.system,
                changes={"reasons": [before, reasons]},
            )
    return row


# --- The transitions ------------------------------------------------------------------------------


def exemption_submit(*, actor: Actor, exemption: MigrationExemption, comment: str = "") -> MigrationExemption:
    def apply(row):
        _check_eligible(row.system)
        row.submitted_at = timezone.now()
        return {"submitted_at": [None, row.submitted_at]}

    return _transition(actor=actor, exemption=exemption, action=A.SUBMIT, comment=comment, apply=apply)


def exemption_withdraw(*, actor: Actor, exemption: MigrationExemption, comment: str = "") -> MigrationExemption:
    return _transition(actor=actor, exemption=exemption, action=A.WITHDRAW, comment=comment)


def exemption_return(*, actor: Actor, exemption: MigrationExemption, comment: str) -> MigrationExemption:
    """The center sends an incomplete request back to the department (退回补正)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what the department must correct.")})
    return _transition(actor=actor, exemption=exemption, action=A.RETURN, comment=comment.strip())


def _conflict_of_interest(expert: User, system: InformationSystem) -> bool:
    """An expert from the requesting department (or above it, short of the city) does not review it."""
    org = expert.organization
    if org is None or org.depth == 0:
        return False
    return system.organization.path.startswith(org.path) or org.path.startswith(system.organization.path)


def exemption_assign_experts(
    *, actor: Actor, exemption: MigrationExemption, experts: Iterable[User], comment: str = ""
) -> MigrationExemption:
    """The center organizes the expert review: at least EXPERT_REVIEW_MIN_EXPERTS experts, who vote
    within EXPERT_REVIEW_WORKING_DAYS working days."""
    chosen = list({e.pk: e for e in experts}.values())
    minimum = int(policy_value(Policy.EXPERT_REVIEW_MIN_EXPERTS))

    def apply(row):
        if len(chosen) < minimum:
            raise ValidationError(
                {"experts": _("Assign at least %(n)d experts (Art. 3 expert review).") % {"n": minimum}}
            )
        ids = [e.pk for e in chosen]
        valid = set(
            User.objects.filter(pk__in=ids, is_active=True, role_assignments__role=Role.EXPERT).values_list(
                "pk", flat=True
            )
        )
        not_experts = [str(e) for e in chosen if e.pk not in valid]
        if not_experts:
            raise ValidationError(
                {"experts": _("These people are not active experts: %(names)s.") % {"names": ", ".join(not_experts)}}
            )
        conflicted = [str(e) for e in chosen if _conflict_of_interest(e, row.system)]
        if conflicted:
            raise ValidationError(
                {
                    "experts": _("These experts belong to the requesting department: %(names)s.")
                    % {"names": ", ".join(conflicted)}
                }
            )
        ExpertAssignment.objects.bulk_create([ExpertAssignment(exemption=row, expert=e) for e in chosen])
        deadline = deadline_from(timezone.now(), int(policy_value(Policy.EXPERT_REVIEW_WORKING_DAYS)))
        row.review_due_at = deadline.due
        row.review_due_provisional = deadline.provisional
        return {"experts": [None, sorted(e.get_username() for e in chosen)], "review_due_at": [None, deadline.due]}

    names = ", ".join(sorted(actor_name(e) for e in chosen))
    return _transition(
        actor=actor,
        exemption=exemption,
        action=A.ASSIGN_EXPERTS,
        comment=comment,
        apply=apply,
        event_comment="\n".join(x for x in (names, comment) if x),
    )


def exemption_vote(*, actor: Actor, exemption: MigrationExemption, vote: str, opinion: str) -> MigrationExemption:
    """An assigned expert records their opinion and vote, once."""
    opinion = (opinion or "").strip()

    def apply(row):
        if is_system(actor):
            raise ValidationError(_("Only an assigned expert votes."))
        if vote not in Vote.values:
            raise ValidationError({"vote": _("Vote to approve or to reject.")})
        if not opinion:
            raise ValidationError({"opinion": _("Give your opinion with your vote.")})
        assignment = ExpertAssignment.objects.select_for_update().filter(exemption=row, expert=actor).first()
        if assignment is None:
            raise ValidationError(_("You are not assigned to review this request."))
        if assignment.vote:
            raise ValidationError(_("You have already voted on this request."))
        assignment.vote, assignment.opinion, assignment.voted_at = vote, opinion, timezone.now()
        assignment.save(update_fields=["vote", "opinion", "voted_at"])
        return {"vote": [None, vote]}

    # The timeline shows that the expert voted; the vote and opinion are on the assignment, which
    # the department sees once the request is decided.
    return _transition(actor=actor, exemption=exemption, action=A.VOTE, comment=opinion, apply=apply, event_comment="")


def _votes(row: MigrationExemption) -> tuple[int, int, int]:
    """(assigned, voted, approving)."""
    votes = list(row.assignments.values_list("vote", flat=True))
    return len(votes), sum(1 for v in votes if v), sum(1 for v in votes if v == Vote.APPROVE)


def _require_complete_review(row: MigrationExemption) -> tuple[int, int, int]:
    assigned, voted, approving = _votes(row)
    minimum = int(policy_value(Policy.EXPERT_REVIEW_MIN_EXPERTS))
    if assigned < minimum:
        raise ValidationError(_("The review needs at least %(n)d experts.") % {"n": minimum})
    if voted < assigned:
        raise ValidationError(
            _("%(missing)d of %(total)d experts have not voted yet.") % {"missing": assigned - voted, "total": assigned}
        )
    return assigned, voted, approving


def exemption_forward(*, actor: Actor, exemption: MigrationExemption, comment: str = "") -> MigrationExemption:
    """When every assigned expert has voted, the center forwards the request to the leading group,
    which decides within LEADING_GROUP_WORKING_DAYS working days."""

    def apply(row):
        assigned, _voted, approving = _require_complete_review(row)
        deadline = deadline_from(timezone.now(), int(policy_value(Policy.LEADING_GROUP_WORKING_DAYS)))
        row.forwarded_at = timezone.now()
        row.decision_due_at = deadline.due
        row.decision_due_provisional = deadline.provisional
        return {"votes": [None, f"{approving}/{assigned}"], "decision_due_at": [None, deadline.due]}

    return _transition(actor=actor, exemption=exemption, action=A.FORWARD, comment=comment, apply=apply)


def exemption_decide(
    *, actor: Actor, exemption: MigrationExemption, approve: bool, comment: str = ""
) -> MigrationExemption:
    """The leading group's decision. An approval needs the completed expert review with a majority
    in favor; it exempts the system for EXEMPTION_VALID_MONTHS months."""
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Give the reason for the rejection.")})

    def apply(row):
        assigned, _voted, approving = _require_complete_review(row)
        row.decided_at = timezone.now()
        row.decided_by = None if is_system(actor) else actor
        row.decision_comment = comment
        changes = {"decided_at": [None, row.decided_at]}
        if approve:
            if approving * 2 <= assigned:
                raise ValidationError(
                    _(
                        "The expert review did not support the exemption (%(approve)d of %(total)d in favor); it "
                        "can only be rejected."
                    )
                    % {"approve": approving, "total": assigned}
                )
            today = timezone.localdate()
            row.valid_from = today
            row.valid_until = validity_end(today, int(policy_value(Policy.EXEMPTION_VALID_MONTHS)))
            # A renewal replaces the approval it renews (one approved exemption per system).
            for old in MigrationExemption.objects.filter(system_id=row.system_id, state=S.APPROVED).exclude(pk=row.pk):
                _transition(
                    actor=actor,
                    exemption=old,
                    action=A.SUPERSEDE,
                    comment=_("Renewed by request #%(pk)d.") % {"pk": row.pk},
                )
            system = lock_system(row.system)
            if system.hosting_status != HostingStatus.EXEMPTED:
                changes["system.hosting_status"] = [system.hosting_status, HostingStatus.EXEMPTED]
                system.hosting_status = HostingStatus.EXEMPTED
                system.save(update_fields=["hosting_status", "updated_at"])
            row.system = system
            changes["valid_until"] = [None, row.valid_until]
        return changes

    return _transition(
        actor=actor, exemption=exemption, action=A.APPROVE if approve else A.REJECT, comment=comment, apply=apply
    )


def exemption_expire(*, actor: Actor, exemption: MigrationExemption, today: date | None = None) -> MigrationExemption:
    """An approval past its validity expires: the system is back in its own machine room (it must
    migrate or be exempted again)."""
    today = today or timezone.localdate()

    def apply(row):
        if row.valid_until is None or row.valid_until >= today:
            raise ValidationError(_("This exemption is still valid."))
        system = lock_system(row.system)
        changes = {}
        if system.hosting_status == HostingStatus.EXEMPTED:
            changes["system.hosting_status"] = [system.hosting_status, HostingStatus.OWN_ROOM]
            system.hosting_status = HostingStatus.OWN_ROOM
            system.save(update_fields=["hosting_status", "updated_at"])
        row.system = system
        return changes

    return _transition(
        actor=actor,
        exemption=exemption,
        action=A.EXPIRE,
        comment=_("Valid until %(date)s.") % {"date": exemption.valid_until},
        apply=apply,
    )
