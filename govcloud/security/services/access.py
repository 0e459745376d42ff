"""Access grants and access sessions (Art. 18).

Only the department — its head or security officer — authorizes entry into its cloud hosts,
databases and storage, naming the provider staff member, the system and/or resources, the purpose
and a window no longer than Policy.ACCESS_GRANT_MAX_HOURS. It can revoke at once. A session the
operator records without a valid grant is stored flagged, audited and reported to the department
(head and security officer) and the center.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import SYSTEM, Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceState
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, notify_roles
from govcloud.security.models import (
    GRANTORS,
    AccessGrant,
    AccessSession,
    FlagReason,
    GrantEvent,
    GrantEventKind,
)
from govcloud.security.services.common import actor_user, locked
from govcloud.systems.models import InformationSystem

MAX_RESOURCES = 50
# A grant may start a little in the past (the form was open a while), never earlier: a grant is
# not a way to authorize afterwards what has already happened.
BACKDATE_TOLERANCE = timedelta(minutes=10)
# Clocks differ a little; a session cannot end later than this after the moment it is recorded.
CLOCK_SKEW = timedelta(minutes=5)
GRANT_FIELDS = ("organization", "system", "resource_note", "grantee", "purpose", "starts_at", "ends_at")
SESSION_FIELDS = ("organization", "grant", "system", "resource", "started_at", "ended_at", "work_done", "flagged")


def grant_resources_check(*, actor: Actor, organization, resources: Iterable) -> list[Resource]:
    """The ledger resources a grant names: each one the department's own (its organization or
    units) and still in the ledger's service (not terminated). Anything else answers like a missing
    resource, so another department's resources are not revealed."""
    wanted = {getattr(r, "pk", r) for r in resources or ()}
    wanted.discard(None)
    if not wanted:
        return []
    if len(wanted) > MAX_RESOURCES:
        raise ValidationError({"resources": _("At most %(n)d resources per grant.") % {"n": MAX_RESOURCES}})
    found = list(
        Resource.objects.restrict(actor, Action.CHANGE)
        .filter(pk__in=wanted, organization__path__startswith=organization.path)
        .exclude(state=ResourceState.TERMINATED)
        .order_by("code")
    )
    if len(found) != len(wanted):
        raise ValidationError({"resources": _("Choose resources of your own department that are not terminated.")})
    return found


def _event(grant: AccessGrant, kind: GrantEventKind, actor: Actor, comment: str = "") -> None:
    GrantEvent.objects.create(
        grant=grant, kind=kind, actor=actor_user(actor), actor_name=actor_name(actor), comment=comment
    )


def _check_grantee(grantee) -> None:
    user = get_user_model().objects.filter(pk=getattr(grantee, "pk", None), is_active=True).first()
    if user is None or Role.PROVIDER_OPERATOR not in user.roles:
        raise ValidationError({"grantee": _("Access is granted to a named, active member of the provider's staff.")})


def access_grant_create(
    *,
    actor: Actor,
    grantee,
    purpose: str,
    ends_at: datetime,
    starts_at: datetime | None = None,
    system: InformationSystem | None = None,
    resources: Iterable[Resource] = (),
    resource_note: str = "",
) -> AccessGrant:
    """Authorize a provider operator to enter the department's system and/or named ledger
    resources (its own, chosen from the ledger) for a purpose and a window of at most
    Policy.ACCESS_GRANT_MAX_HOURS hours."""
    require_role(actor, GRANTORS)
    purpose = (purpose or "").strip()
    resource_note = (resource_note or "").strip()[:2000]
    if not purpose:
        raise ValidationError({"purpose": _("Say what the access is for.")})
    resources = list(resources or ())
    if system is None and not resources:
        raise ValidationError(_("Name the information system or the resources the grant covers."))
    _check_grantee(grantee)
    now = timezone.now()
    starts_at = starts_at or now
    if starts_at < now - BACKDATE_TOLERANCE:
        raise ValidationError({"starts_at": _("A grant cannot start in the past.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The grant must end after it starts.")})
    max_hours = int(policy_value(Policy.ACCESS_GRANT_MAX_HOURS))
    if ends_at - starts_at > timedelta(hours=max_hours):
        raise ValidationError(
            {"ends_at": _("A grant lasts at most %(hours)d hours (Art. 18 policy).") % {"hours": max_hours}}
        )
    with transaction.atomic():
        if system is not None:
            # Only the department's own systems: the registry's change scope decides.
            system = get_scoped_or_404(
                InformationSystem.objects.select_related("organization"), actor, Action.CHANGE, pk=system.pk
            )
            if system.classified:
                raise ValidationError({"system": _("A classified system is not on the platform.")})
        organization = system.organization if system is not None else actor.organization
        chosen = grant_resources_check(actor=actor, organization=organization, resources=resources)
        grant = AccessGrant.objects.create(
            organization=organization,
            system=system,
            resource_note=resource_note,
            grantee=grantee,
            purpose=purpose,
            starts_at=starts_at,
            ends_at=ends_at,
            granted_by=actor,
        )
        grant.resources.set(chosen)
        _event(grant, GrantEventKind.GRANTED, actor, purpose)
        changes = created(grant, GRANT_FIELDS)
        changes["resources"] = [None, [r.code for r in chosen]]
        audit_record(actor=actor, action="access_grant.create", target=grant, changes=changes)
        notify(
            recipients=[grantee],
            kind="security.grant_created",
            title=_("You are granted access to %(target)s until %(end)s")
            % {"target": _grant_target(grant), "end": timezone.localtime(ends_at).strftime("%Y-%m-%d %H:%M")},
            body=purpose,
            link=reverse("security:grant_detail", args=[grant.pk]),
        )
    return grant


def _grant_target(grant: AccessGrant) -> str:
    parts = [grant.system.name] if grant.system_id else []
    return "; ".join(parts + [r.code for r in grant.resources.all()[:3]])


def access_grant_revoke(*, actor: Actor, grant: AccessGrant, reason: str = "") -> AccessGrant:
    """End a grant now. Sessions recorded against it afterwards are flagged."""
    require_role(actor, GRANTORS)
    reason = (reason or "").strip()
    with transaction.atomic():
        grant = locked(AccessGrant, actor, grant.pk)
        if grant.revoked_at is not None:
            raise ValidationError(_("This grant has already been revoked."))
        now = timezone.now()
        if grant.ends_at <= now:
            raise ValidationError(_("This grant has already ended."))
        before = snapshot(grant, ("revoked_at", "revoke_reason"))
        grant.revoked_at, grant.revoked_by, grant.revoke_reason = now, actor_user(actor), reason
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
        _event(grant, GrantEventKind.REVOKED, actor, reason)
        audit_record(
            actor=actor,
            action="access_grant.revoke",
            target=grant,
            changes=diff(before, snapshot(grant, ("revoked_at", "revoke_reason"))),
            message=reason,
        )
        notify(
            recipients=[grant.grantee],
            kind="security.grant_revoked",
            title=_("Your access to %(target)s has been revoked") % {"target": _grant_target(grant)},
            body=reason,
            link=reverse("security:grant_detail", args=[grant.pk]),
            severity=Severity.WARNING,
        )
    return grant


def access_grants_expire(*, actor: Actor = SYSTEM) -> int:
    """Record the end of every grant whose window has passed (the sweep). The grant stopped being
    valid at `ends_at` whatever this finds; this writes its audit event and timeline entry."""
    require_role(actor, {Role.CENTER_ADMIN})
    now = timezone.now()
    count = 0
    due = AccessGrant.objects.filter(ends_at__lte=now, expiry_recorded_at__isnull=True, revoked_at__isnull=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            grant = AccessGrant.objects.select_for_update(of=("self",)).get(pk=pk)
            if grant.expiry_recorded_at is not None or grant.revoked_at is not None:
                continue  # another sweep or a revocation got there first
            grant.expiry_recorded_at = now
            grant.save(update_fields=["expiry_recorded_at", "updated_at"])
            _event(grant, GrantEventKind.EXPIRED, actor)
            audit_record(
                actor=actor,
                action="access_grant.expire",
                target=grant,
                message=_("The grant's window ended at %(end)s.")
                % {"end": timezone.localtime(grant.ends_at).strftime("%Y-%m-%d %H:%M")},
            )
            count += 1
    return count


def session_flags(
    *,
    grant: AccessGrant | None,
    operator,
    system_id: int | None,
    resource: Resource | None,
    started_at: datetime,
    ended_at: datetime,
) -> list[FlagReason]:
    """Every reason the session is not covered by a valid grant (empty: it is)."""
    if grant is None:
        return [FlagReason.NO_COVERING_GRANT]
    flags = []
    if grant.grantee_id != operator.pk:
        flags.append(FlagReason.OTHER_GRANTEE)
    if grant.revoked_at is not None and grant.revoked_at < ended_at:
        flags.append(FlagReason.REVOKED)
    elif started_at >= grant.ends_at:
        flags.append(FlagReason.EXPIRED)
    elif started_at < grant.starts_at or ended_at > grant.ends_at:
        flags.append(FlagReason.OUTSIDE_WINDOW)
    if not grant.covers(system_id=system_id, resource=resource):
        flags.append(FlagReason.NOT_COVERED)
    return flags


def covering_grant(
    *, operator, system_id: int | None, resource: Resource | None, started_at: datetime, ended_at: datetime
) -> AccessGrant | None:
    """A grant of the operator's that covers the target for the whole session (its resources and
    its hours), when the session named none: staff enter under any valid grant they hold."""
    if resource is not None:
        target = Q(resources=resource) | (Q(system_id=resource.system_id) if resource.system_id else Q(pk__in=[]))
    elif system_id is not None:
        target = Q(system_id=system_id)
    else:
        return None
    candidates = (
        AccessGrant.objects.filter(target, grantee=operator, starts_at__lte=started_at, ends_at__gte=ended_at)
        .exclude(revoked_at__lt=ended_at)
        .select_related("organization", "system")
        .prefetch_related("resources")
        .distinct()
        .order_by("-starts_at", "-pk")
    )
    return next((g for g in candidates if g.covers(system_id=system_id, resource=resource)), None)


def access_session_record(
    *,
    actor: Actor,
    started_at: datetime,
    ended_at: datetime,
    work_done: str,
    grant: AccessGrant | None = None,
    system: InformationSystem | None = None,
    resource: Resource | None = None,
) -> AccessSession:
    """Provider staff record an entry into a department's resources (a system and/or a ledger
    resource). A session outside every grant's resources or hours is still recorded — hiding it
    would be worse — but flagged, audited and reported to the department and the center."""
    require_role(actor, {Role.PROVIDER_OPERATOR})
    work_done = (work_done or "").strip()
    if not work_done:
        raise ValidationError({"work_done": _("Say what was done during the session.")})
    if ended_at <= started_at:
        raise ValidationError({"ended_at": _("The session must end after it starts.")})
    if ended_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"ended_at": _("Record a session once it has ended.")})
    if system is None and grant is None and resource is None:
        raise ValidationError({"system": _("Name the information system or resource entered, or the grant used.")})
    with transaction.atomic():
        if system is not None:
            system = get_scoped_or_404(InformationSystem.objects.select_related("organization"), actor, pk=system.pk)
        if resource is not None:
            resource = get_scoped_or_404(Resource.objects.select_related("organization"), actor, pk=resource.pk)
            if system is None and resource.system_id:
                system = InformationSystem.objects.select_related("organization").get(pk=resource.system_id)
        if grant is not None:
            # Deliberately not scoped: naming a grant given to someone else is recorded and flagged.
            grant = AccessGrant.objects.select_related("organization", "system").filter(pk=grant.pk).first()
            if grant is None:
                raise ValidationError({"grant": _("There is no such grant.")})
        else:
            grant = covering_grant(
                operator=actor,
                system_id=system.pk if system else None,
                resource=resource,
                started_at=started_at,
                ended_at=ended_at,
            )
        flags = session_flags(
            grant=grant,
            operator=actor,
            system_id=system.pk if system else None,
            resource=resource,
            started_at=started_at,
            ended_at=ended_at,
        )
        if resource is not None:
            organization = resource.organization
        elif system is not None:
            organization = system.organization
        else:
            organization = grant.organization
        session = AccessSession.objects.create(
            organization=organization,
            grant=grant,
            operator=actor,
            system=system,
            resource=resource,
            started_at=started_at,
            ended_at=ended_at,
            work_done=work_done,
            flagged=bool(flags),
            flag_reasons=[str(f) for f in flags],
        )
        if grant is not None:
            _event(grant, GrantEventKind.FLAGGED if flags else GrantEventKind.SESSION, actor, work_done[:200])
        reasons = "; ".join(str(f.label) for f in flags)
        audit_record(
            actor=actor,
            action="access_session.flagged" if flags else "access_session.record",
            target=session,
            changes=created(session, SESSION_FIELDS),
            message=reasons,
        )
        if flags:
            _notify_flagged(session, reasons)
    return session


def _notify_flagged(session: AccessSession, reasons: str) -> None:
    title = _("Access without a valid grant: %(who)s entered %(target)s") % {
        "who": session.operator.full_name or session.operator.username,
        "target": "; ".join(
            filter(None, [session.system.name if session.system_id else "", str(session.resource or "")])
        )
        or "—",
    }
    body = _("%(start)s – %(end)s. %(reasons)s. What was done: %(work)s") % {
        "start": timezone.localtime(session.started_at).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(session.ended_at).strftime("%Y-%m-%d %H:%M"),
        "reasons": reasons,
        "work": session.work_done[:300],
    }
    link = reverse("security:session_detail", args=[session.pk])
    common = {"kind": "security.session_flagged", "title": title, "body": body, "link": link}
    notify_roles(roles=GRANTORS, organization=session.organization, severity=Severity.DANGER, **common)
    notify_roles(roles={Role.CENTER_ADMIN}, severity=Severity.DANGER, **common)


def access_session_review(*, actor: Actor, session: AccessSession, comment: str) -> AccessSession:
    """The department (head or security officer) or the center records what it found about a
    flagged session."""
    require_role(actor, GRANTORS | {Role.CENTER_ADMIN})
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write what the review found.")})
    with transaction.atomic():
        session = locked(AccessSession, actor, session.pk)
        if not session.flagged:
            raise ValidationError(_("Only a flagged session needs a review."))
        if session.reviewed_at is not None:
            raise ValidationError(_("This session has already been reviewed."))
        session.reviewed_at, session.reviewed_by, session.review_comment = timezone.now(), actor_user(actor), comment
        session.save(update_fields=["reviewed_at", "reviewed_by", "review_comment"])
        audit_record(
            actor=actor,
            action="access_session.review",
            target=session,
            changes={"review_comment": [None, comment]},
        )
    return session
