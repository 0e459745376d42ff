"""Every write about platform identities: sign-on, links, link requests, refusals, logout.

Keyword-only, typed, one transaction each, one audit event each — every event names the identity's
issuer and subject. Accounts are linked, never created with power: an identity that matches no account
creates nothing but a pending link request, and roles stay assigned in GovCloud (三员分立).
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM, Actor
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.identity.errors import SignOnRefused
from govcloud.identity.models import IdentityLink, IdentityLinkRequest, LinkRequestStatus, SignOnSession
from govcloud.organizations import services as org_services
from govcloud.organizations.models import Organization, User


def _who(issuer: str, subject: str) -> str:
    return f"issuer={issuer} subject={subject}"


def _identity_changes(issuer: str, subject: str) -> dict:
    return {"issuer": [None, issuer], "subject": [None, subject]}


def _claim_text(value) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.strip()[:255] if isinstance(value, str) else ""


def _matching_user(*, field: str, value: str) -> tuple[User | None, str]:
    """The one active account whose `field` equals `value` (case-insensitive), or None with why."""
    if not value:
        return None, "no match claim"
    candidates = list(User.objects.filter(**{f"{field}__iexact": value}, is_active=True)[:2])
    if len(candidates) == 1:
        return candidates[0], ""
    return None, "ambiguous" if candidates else "no account"


def _plain(claims: dict) -> dict:
    return {k: v for k, v in claims.items() if isinstance(v, str | int | float | bool | list)}


def _new_link_request(
    *, protocol: str, issuer: str, subject: str, claims: dict, match_value: str, why: str
) -> IdentityLinkRequest:
    return IdentityLinkRequest.objects.create(
        protocol=protocol,
        issuer=issuer,
        subject=subject,
        display_name=_claim_text(claims.get("name") or claims.get("cn") or claims.get("displayName"))[:150],
        email=_claim_text(claims.get("email") or claims.get("mail"))[:254],
        match_value=match_value,
        claims=_plain(claims),
        note=why,
    )


def sign_on_resolve(
    *, protocol: str, issuer: str, subject: str, claims: dict, match_claim: str, match_field: str
) -> User | IdentityLinkRequest:
    """The account this identity signs in as, linking it on a first match; or the pending link
    request recorded when no account matches (nothing with a role is created)."""
    now = timezone.now()
    with transaction.atomic():
        link = IdentityLink.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        if link is not None:
            if not link.user.is_active:
                raise SignOnRefused(
                    "account_disabled",
                    _("Your GovCloud account is disabled. Ask your organization's system administrator."),
                    issuer=issuer,
                    subject=subject,
                )
            IdentityLink.objects.filter(pk=link.pk).update(last_sign_on_at=now)
            return link.user
        match_value = _claim_text(claims.get(match_claim))
        user, why = _matching_user(field=match_field, value=match_value)
        if user is not None:
            try:
                with transaction.atomic():
                    IdentityLink.objects.create(
                        user=user, protocol=protocol, issuer=issuer, subject=subject, last_sign_on_at=now
                    )
            except IntegrityError:
                # The same identity's other sign-in (a second tab) linked it a moment ago.
                return IdentityLink.objects.select_related("user").get(issuer=issuer, subject=subject).user
            audit_record(
                actor=SYSTEM,
                action="identity.link",
                target=user,
                changes=_identity_changes(issuer, subject),
                message=f"{_who(issuer, subject)} linked by {match_claim} = account {match_field}",
            )
            return user
        request = (
            IdentityLinkRequest.objects.select_for_update()
            .filter(issuer=issuer, subject=subject, status=LinkRequestStatus.PENDING)
            .first()
        )
        if request is not None:
            IdentityLinkRequest.objects.filter(pk=request.pk).update(attempts=F("attempts") + 1, claims=_plain(claims))
            request.refresh_from_db()
            return request
        try:
            with transaction.atomic():
                request = _new_link_request(
                    protocol=protocol, issuer=issuer, subject=subject, claims=claims, match_value=match_value, why=why
                )
        except IntegrityError:
            # Another sign-in of the same identity opened the request a moment ago.
            return IdentityLinkRequest.objects.get(issuer=issuer, subject=subject, status=LinkRequestStatus.PENDING)
        audit_record(
            actor=None,
            actor_username=subject[:150],
            action="identity.link_request",
            target=request,
            changes=_identity_changes(issuer, subject),
            outcome=Outcome.DENIED,
            message=f"{_who(issuer, subject)}: {why}; no account signed in",
        )
    return request


def sign_on_record(
    *, user: User, protocol: str, issuer: str, subject: str, session_key: str, platform_session: str, mfa: bool
) -> SignOnSession:
    with transaction.atomic():
        session = SignOnSession.objects.create(
            session_key=session_key,
            user=user,
            protocol=protocol,
            issuer=issuer,
            subject=subject,
            platform_session=platform_session[:255],
        )
        audit_record(
            actor=user,
            action="identity.sign_on",
            target=user,
            changes=_identity_changes(issuer, subject),
            message=f"{protocol} {_who(issuer, subject)}; platform MFA {'asserted' if mfa else 'not asserted'}",
        )
    return session


def sign_on_refuse(*, protocol: str, refusal: SignOnRefused) -> None:
    audit_record(
        actor=None,
        actor_username=(refusal.subject or "anonymous")[:150],
        action="identity.sign_on_refused",
        object_type="identity.identity",
        object_id=refusal.subject[:64],
        object_repr=f"{refusal.subject} @ {refusal.issuer}"[:200],
        changes=_identity_changes(refusal.issuer, refusal.subject),
        outcome=Outcome.FAILURE,
        message=f"{protocol}: {refusal.code}",
    )


def sign_on_logout(*, user: User, session_key: str) -> int:
    """The user signed out of GovCloud: the sign-on sessions of this browser session end."""
    ended = 0
    with transaction.atomic():
        for session in SignOnSession.objects.filter(session_key=session_key, ended_at__isnull=True):
            SignOnSession.objects.filter(pk=session.pk).update(ended_at=timezone.now())
            audit_record(
                actor=user,
                action="identity.logout",
                target=user,
                changes=_identity_changes(session.issuer, session.subject),
                message=f"{session.protocol} {_who(session.issuer, session.subject)}",
            )
            ended += 1
    return ended


def sessions_end_by_platform(*, protocol: str, issuer: str, subject: str = "", platform_session: str = "") -> int:
    """A back-channel (OIDC) or single (CAS) logout from the platform: end the matching GovCloud
    sessions, whichever server holds them (the session store is shared). Returns how many."""
    if not subject and not platform_session:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = SignOnSession.objects.filter(protocol=protocol, issuer=issuer, ended_at__isnull=True)
    if subject:
        sessions = sessions.filter(subject=subject)
    if platform_session:
        sessions = sessions.filter(platform_session=platform_session)
    ended = 0
    with transaction.atomic():
        for session in sessions.select_related("user"):
            store(session_key=session.session_key).delete()
            SignOnSession.objects.filter(pk=session.pk).update(ended_at=timezone.now())
            audit_record(
                actor=SYSTEM,
                action="identity.platform_logout",
                target=session.user,
                changes=_identity_changes(session.issuer, session.subject),
                message=f"{protocol} {_who(session.issuer, session.subject)}: session ended by the platform",
            )
            ended += 1
    return ended


# --- Link requests (the system administrator) -------------------------------------------------------


def _pending(request: IdentityLinkRequest) -> IdentityLinkRequest:
    request = IdentityLinkRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != LinkRequestStatus.PENDING:
        raise ValidationError(_("This link request has already been decided."))
    return request


def _link(*, actor: Actor, request: IdentityLinkRequest, user: User) -> IdentityLinkRequest:
    if not user.is_active:
        raise ValidationError(_("This account is disabled: enable it first, or choose another."))
    try:
        with transaction.atomic():
            IdentityLink.objects.create(
                user=user, protocol=request.protocol, issuer=request.issuer, subject=request.subject
            )
    except IntegrityError:
        raise ValidationError(_("This identity is already linked to an account.")) from None
    request.status = LinkRequestStatus.APPROVED
    request.user = user
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "user", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="identity.link",
        target=user,
        changes=_identity_changes(request.issuer, request.subject),
        message=f"{_who(request.issuer, request.subject)} linked by the system administrator (request {request.pk})",
    )
    return request


def link_request_approve(*, actor: Actor, request: IdentityLinkRequest, user: User) -> IdentityLinkRequest:
    """Link the identity to an existing account (its roles unchanged)."""
    require_role(actor, {Role.SYSTEM_ADMIN})
    with transaction.atomic():
        return _link(actor=actor, request=_pending(request), user=user)


def link_request_approve_new_account(
    *,
    actor: Actor,
    request: IdentityLinkRequest,
    username: str,
    full_name: str,
    organization: Organization,
    email: str = "",
    phone: str = "",
    title: str = "",
) -> tuple[IdentityLinkRequest, User]:
    """Open an account in `organization` (the usual account creation, with no role: the security
    administrator grants roles, 三员分立) and link the identity to it."""
    require_role(actor, {Role.SYSTEM_ADMIN})
    with transaction.atomic():
        request = _pending(request)
        user, _password = org_services.user_create(
            actor=actor,
            username=username,
            full_name=full_name,
            organization=organization,
            email=email,
            phone=phone,
            title=title,
        )
        return _link(actor=actor, request=request, user=user), user


def link_request_refuse(*, actor: Actor, request: IdentityLinkRequest, note: str) -> IdentityLinkRequest:
    require_role(actor, {Role.SYSTEM_ADMIN})
    if not note.strip():
        raise ValidationError({"note": _("Say why the request is refused.")})
    with transaction.atomic():
        request = _pending(request)
        request.status = LinkRequestStatus.REFUSED
        request.note = note.strip()[:500]
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            action="identity.link_refused",
            target=request,
            changes=_identity_changes(request.issuer, request.subject),
            outcome=Outcome.DENIED,
            message=f"{_who(request.issuer, request.subject)}: {request.note}",
        )
    return request


def link_remove(*, actor: Actor, link: IdentityLink) -> None:
    require_role(actor, {Role.SYSTEM_ADMIN})
    if getattr(actor, "pk", None) == link.user_id:
        raise PermissionDenied(_("Nobody may change their own sign-on links."))
    with transaction.atomic():
        link.delete()
        audit_record(
            actor=actor,
            action="identity.unlink",
            target=link.user,
            changes={"issuer": [link.issuer, None], "subject": [link.subject, None]},
            message=_who(link.issuer, link.subject),
        )
