"""Every write about organizations, people, roles, tokens and second factors.

Keyword-only, typed, one transaction each, one audit event each. Account management belongs to the
system admin, authorization (roles, unlocking, second factors) to the security admin, and nobody
changes their own roles (三员分立).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import Actor, is_system
from govcloud.core.crypto import sm3_hex
from govcloud.core.permissions import require_role
from govcloud.core.roles import SEPARATED_ADMIN_ROLES, Role
from govcloud.organizations.models import (
    ALLOWED_CHILD_LEVELS,
    ApiToken,
    Organization,
    OrganizationKind,
    OrganizationLevel,
    RoleAssignment,
    User,
    new_security_stamp,
)
from govcloud.organizations.usernames import canonical_username

_TENANT_KINDS = frozenset({OrganizationKind.DEPARTMENT, OrganizationKind.FINANCE})
# Which kind of organization a holder of each role must belong to.
ROLE_ORGANIZATION_KINDS: dict[Role, frozenset[str] | None] = {
    Role.CENTER_ADMIN: frozenset({OrganizationKind.CENTER}),
    Role.CENTER_REVIEWER: frozenset({OrganizationKind.CENTER}),
    Role.DEPARTMENT_APPLICANT: _TENANT_KINDS,
    Role.DEPARTMENT_HEAD: _TENANT_KINDS,
    Role.DEPARTMENT_SECURITY_OFFICER: _TENANT_KINDS,
    Role.PROVIDER_OPERATOR: frozenset({OrganizationKind.PROVIDER}),
    Role.FINANCE_VIEWER: frozenset({OrganizationKind.FINANCE}),
    Role.EXPERT: None,  # experts may come from anywhere
    Role.LEADING_GROUP: frozenset({OrganizationKind.LEADING_GROUP}),
    Role.SYSTEM_ADMIN: frozenset({OrganizationKind.CENTER}),
    Role.SECURITY_ADMIN: frozenset({OrganizationKind.CENTER}),
    Role.AUDIT_ADMIN: frozenset({OrganizationKind.CENTER}),
}

ORGANIZATION_FIELDS = (
    "name",
    "short_name",
    "kind",
    "level",
    "credit_code",
    "contact_name",
    "contact_phone",
    "is_active",
)
USER_FIELDS = ("full_name", "email", "phone", "title", "organization")


# --- Organizations ----------------------------------------------------------------------------


def _check_placement(*, level: str, parent: Organization | None) -> None:
    if parent is None:
        if level != OrganizationLevel.CITY:
            raise ValidationError({"parent": _("Only a city sits at the top of the tree; choose a parent.")})
        return
    allowed = ALLOWED_CHILD_LEVELS.get(parent.level, frozenset())
    if level not in allowed:
        raise ValidationError(
            {
                "level": _("A %(child)s cannot sit under a %(parent)s.")
                % {"child": OrganizationLevel(level).label, "parent": OrganizationLevel(parent.level).label}
            }
        )


def organization_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    level: str,
    parent: Organization | None,
    credit_code: str,
    contact_name: str,
    contact_phone: str,
    short_name: str = "",
) -> Organization:
    require_role(actor, {Role.SYSTEM_ADMIN})
    _check_placement(level=level, parent=parent)
    with transaction.atomic():
        org = Organization(
            name=name,
            short_name=short_name,
            kind=kind,
            level=level,
            parent=parent,
            credit_code=credit_code,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        org.full_clean(exclude=["path", "depth"])
        org.save()
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.depth = (parent.depth + 1) if parent else 0
        org.save(update_fields=["path", "depth"])
        audit_record(actor=actor, action="organization.create", target=org, changes=created(org, ORGANIZATION_FIELDS))
    return org


def organization_update(*, actor: Actor, organization: Organization, **fields) -> Organization:
    """Change an organization's details; a new `parent` moves its whole subtree."""
    require_role(actor, {Role.SYSTEM_ADMIN})
    unknown = set(fields) - set(ORGANIZATION_FIELDS) - {"parent"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = snapshot(org, ORGANIZATION_FIELDS + ("parent",))
        new_parent = fields.pop("parent", org.parent)
        for key, value in fields.items():
            setattr(org, key, value)
        if new_parent != org.parent or "level" in fields:
            if new_parent is not None and new_parent.path.startswith(org.path):
                raise ValidationError({"parent": _("An organization cannot move under itself or its own units.")})
            _check_placement(level=org.level, parent=new_parent)
        org.full_clean(exclude=["path", "depth", "parent"])
        old_path = org.path
        if new_parent != org.parent:
            org.parent = new_parent
            new_path = f"{new_parent.path if new_parent else '/'}{org.pk}/"
            depth_change = ((new_parent.depth + 1) if new_parent else 0) - org.depth
            # One statement rewrites the whole subtree's paths.
            Organization.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + depth_change,
            )
            org.path = new_path
            org.depth += depth_change
        org.save()
        changes = diff(before, snapshot(org, ORGANIZATION_FIELDS + ("parent",)))
        if changes:
            audit_record(actor=actor, action="organization.update", target=org, changes=changes)
    return org


# --- Users ---------------------------------------------------------------------------------------


def _temporary_password() -> str:
    # Meets the policy by construction: 14 characters, four classes.
    body = secrets.token_urlsafe(9)[:10]
    return f"Gc{body}#{secrets.randbelow(10)}"


def user_create(
    *,
    actor: Actor,
    username: str,
    full_name: str,
    organization: Organization,
    email: str = "",
    phone: str = "",
    title: str = "",
    password: str | None = None,
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Create an account. Returns the user and the initial password, to hand over once; the
    user must change it at first login."""
    require_role(actor, {Role.SYSTEM_ADMIN})
    password = password or _temporary_password()
    username = canonical_username(username)
    taken = ValidationError({"username": _("This username is taken.")})
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise taken
        user = User(
            username=username,
            full_name=full_name,
            organization=organization,
            email=email,
            phone=phone,
            title=title,
            must_change_password=must_change_password,
            password_changed_at=timezone.now(),
        )
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            # Another request created the same name (in any case) since the check above.
            raise taken from exc
        audit_record(actor=actor, action="user.create", target=user, changes=created(user, USER_FIELDS + ("username",)))
    return user, password


def user_update(*, actor: Actor, user: User, **fields) -> User:
    require_role(actor, {Role.SYSTEM_ADMIN})
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(user, USER_FIELDS)
        for key, value in fields.items():
            setattr(user, key, value)
        user.full_clean(exclude=["password"])
        if "organization" in fields:
            for role in user.roles:
                _check_role_fits(user, role)
        user.save()
        changes = diff(before, snapshot(user, USER_FIELDS))
        if changes:
            audit_record(actor=actor, action="user.update", target=user, changes=changes)
        if "organization" in changes:
            # Another organization is another scope: what the old sessions and tokens saw is not theirs.
            _user_end_access(actor=actor, user=user, cause="a move to another organization")
    return user


def user_set_active(*, actor: Actor, user: User, active: bool) -> User:
    require_role(actor, {Role.SYSTEM_ADMIN})
    if not is_system(actor) and actor.pk == user.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            target=user,
            changes={"is_active": [not active, active]},
        )
        if not active:
            _user_end_access(actor=actor, user=user, cause="deactivation")
    return user


def user_reset_password(*, actor: Actor, user: User) -> str:
    """A new temporary password, to be changed at next login. Returns it to hand over once."""
    require_role(actor, {Role.SYSTEM_ADMIN})
    password = _temporary_password()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=actor, action="user.password_reset", target=user)
        # A reset usually means the password is known to someone else: nothing it opened stays open.
        _user_end_access(actor=actor, user=user, cause="a password reset")
    return password


def user_change_password(*, actor: User, old_password: str, new_password: str) -> None:
    """A user changes their own password (forced at first login and when it is too old)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if not user.check_password(old_password):
            raise ValidationError({"old_password": _("The current password is not correct.")})
        if old_password == new_password:
            raise ValidationError({"new_password": _("Choose a password different from the current one.")})
        password_validation.validate_password(new_password, user)
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=user, action="user.password_change", target=user)
    actor.password = user.password


def _user_end_access(*, actor: Actor, user: User, cause: str) -> int:
    """End every session and API token of `user`, after a security-relevant change of the account.

    Called by each such service (roles, administrator's password reset, deactivation, second-factor
    reset, move to another organization) inside its transaction, with the user's row locked. A new
    security stamp changes the account's session hash (User.get_session_auth_hash), so Django ends
    every session at its next request, whichever server holds it; the tokens are revoked. Returns
    how many tokens were revoked.
    """
    user.security_stamp = new_security_stamp()
    User.objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    # An account that never signed in has no session; with no token either, nothing ended.
    if revoked or user.last_login is not None:
        audit_record(
            actor=actor,
            action="user.access_end",
            target=user,
            changes={"api_tokens_revoked": [None, revoked]},
            message=f"sessions ended and {revoked} API token(s) revoked after {cause}",
        )
    return revoked


# --- Roles (三员分立) ----------------------------------------------------------------------------


def _check_role_fits(user: User, role: Role) -> None:
    kinds = ROLE_ORGANIZATION_KINDS[role]
    if kinds is not None and user.organization.kind not in kinds:
        raise ValidationError(
            _("The role %(role)s needs an account in: %(kinds)s.")
            % {"role": role.label, "kinds": " / ".join(str(OrganizationKind(k).label) for k in sorted(kinds))}
        )


def check_roles_allowed(user: User, roles: set[Role]) -> None:
    admin = roles & SEPARATED_ADMIN_ROLES
    if len(admin) > 1:
        raise ValidationError(
            _(
                "Separation of duties (三员分立): one account may not be more than one of system administrator, "
                "security administrator and audit administrator."
            )
        )
    for role in roles:
        _check_role_fits(user, role)


def user_set_roles(*, actor: Actor, user: User, roles: set[Role]) -> User:
    """Give `user` exactly `roles`: one audit event per role granted or revoked."""
    require_role(actor, {Role.SECURITY_ADMIN})
    if not is_system(actor) and actor.pk == user.pk:
        raise PermissionDenied(_("Nobody may change their own roles."))
    roles = {Role(r) for r in roles}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        current = {Role(r) for r in user.role_assignments.values_list("role", flat=True)}
        check_roles_allowed(user, roles)
        revoked = current - roles
        if revoked:
            RoleAssignment.objects.filter(user=user, role__in=revoked).delete()
        for role in sorted(roles - current):
            try:
                with transaction.atomic():
                    RoleAssignment.objects.create(user=user, role=role, granted_by=None if is_system(actor) else actor)
            except IntegrityError as exc:
                # A concurrent request granted another administrator role in the meantime.
                raise ValidationError(
                    _(
                        "Another change to this account's roles was saved at the same moment and would break "
                        "separation of duties (三员分立). Reload the account and check its roles."
                    )
                ) from exc
            audit_record(actor=actor, action="role.grant", target=user, changes={"role": [None, role.value]})
        for role in sorted(revoked):
            audit_record(actor=actor, action="role.revoke", target=user, changes={"role": [role.value, None]})
        user.__dict__.pop("roles", None)
        if roles != current:
            # Sessions and tokens were opened under the old roles: a new role may need a second
            # factor the user has never given, a revoked one must stop working now.
            _user_end_access(actor=actor, user=user, cause="a role change")
    return user


def role_grant(*, actor: Actor, user: User, role: Role) -> User:
    current = {Role(r) for r in user.role_assignments.values_list("role", flat=True)}
    return user_set_roles(actor=actor, user=user, roles=current | {Role(role)})


def role_revoke(*, actor: Actor, user: User, role: Role) -> User:
    current = {Role(r) for r in user.role_assignments.values_list("role", flat=True)}
    return user_set_roles(actor=actor, user=user, roles=current - {Role(role)})


# --- API tokens ----------------------------------------------------------------------------------

TOKEN_PREFIX = "gct"


def _token_hash(secret: str) -> str:
    return sm3_hex(secret.encode("ascii"))


def token_create(*, actor: User, name: str, expires_in_days: int) -> tuple[ApiToken, str]:
    """Create a personal access token; the plain token is returned once and never stored."""
    if not 1 <= expires_in_days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"expires_in_days": _("A token lives 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}}
        )
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name that says what it is for.")})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        # The account's row orders this against _user_end_access: a role change committed while this
        # request was under way (its user loaded with the old stamp) must not be outlived by a token.
        current = (
            User.objects.select_related(None).select_for_update().only("security_stamp", "is_active").get(pk=actor.pk)
        )
        if current.security_stamp != actor.security_stamp or not current.is_active:
            raise PermissionDenied(_("Your account was changed while you were signed in. Sign in again."))
        while True:
            prefix = secrets.token_hex(4)
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        token = ApiToken.objects.create(
            user=actor,
            name=name.strip()[:100],
            prefix=prefix,
            token_hash=_token_hash(secret),
            expires_at=timezone.now() + timedelta(days=expires_in_days),
        )
        audit_record(
            actor=actor,
            action="token.create",
            target=token,
            changes={"name": [None, token.name], "expires_at": [None, token.expires_at]},
        )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="token.revoke", target=token)
    return token


# A token's use is an audit event like a login: recorded when it starts being used again after
# this much quiet, rather than on every request (which would serialize every API call on the chain).
TOKEN_USE_AUDIT_GAP = timedelta(minutes=15)


def token_authenticate(*, raw: str, source_ip: str) -> tuple[User, ApiToken] | None:
    try:
        scheme, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    if scheme != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user", "user__organization").filter(prefix=prefix).first()
    if token is None or not secrets.compare_digest(token.token_hash, _token_hash(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    quiet = token.last_used_at is None or now - token.last_used_at > TOKEN_USE_AUDIT_GAP
    if quiet or token.last_used_ip != source_ip:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=source_ip)
            audit_record(actor=token.user, action="token.use", target=token)
    elif now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


# --- Second factor (TOTP, django-otp) -------------------------------------------------------------


def totp_enrollment_start(*, actor: User):
    """An unconfirmed TOTP device for the user to scan; replaces an earlier unconfirmed one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name="TOTP", confirmed=False)


def totp_enrollment_confirm(*, actor: User, device, token: str) -> bool:
    """Confirm the device with a first code. Returns False (and changes nothing) on a wrong code."""
    with transaction.atomic():
        if device.user_id != actor.pk or device.confirmed:
            raise PermissionDenied
        if not device.verify_token(token.strip()):
            audit_record(actor=actor, action="totp.enroll_failed", target=actor, outcome=Outcome.FAILURE)
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="totp.enroll", target=actor)
        actor.__dict__.pop("has_totp_device", None)
    return True


def totp_verify(*, actor: User, token: str):
    """Check a login's second factor. Returns the matching device, or None (and records the
    failure); django-otp's throttling slows guessing down."""
    import django_otp

    device = django_otp.match_token(actor, token.strip())
    if device is None:
        audit_record(actor=actor, action="auth.otp_failed", target=actor, outcome=Outcome.FAILURE)
    else:
        audit_record(actor=actor, action="auth.otp_verify", target=actor)
    return device


def totp_reset(*, actor: Actor, user: User) -> None:
    """The security admin removes a user's second factor (a lost phone); the user enrolls again."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    require_role(actor, {Role.SECURITY_ADMIN})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
        audit_record(actor=actor, action="totp.reset", target=user, message=f"{deleted} device(s) removed")
        # The lost phone may be in someone else's hands, and so may a session it verified.
        _user_end_access(actor=actor, user=user, cause="a second-factor reset")


# --- Lockout (django-axes) ----------------------------------------------------------------------


def lockout_clear(*, actor: Actor, username: str = "", ip_address: str = "") -> int:
    """The security admin lifts a lockout by account or by source address."""
    from axes.models import AccessAttempt

    require_role(actor, {Role.SECURITY_ADMIN})
    # django-axes counts failures under the canonical name (lockout.username).
    username = canonical_username(username)
    if not username and not ip_address:
        raise ValidationError(_("Name an account or a source address to unlock."))
    with transaction.atomic():
        attempts = AccessAttempt.objects.all()
        if username:
            attempts = attempts.filter(username=username)
        if ip_address:
            attempts = attempts.filter(ip_address=ip_address)
        count, _detail = attempts.delete()
        audit_record(
            actor=actor,
            action="auth.unlock",
            object_type="axes.accessattempt",
            object_id=username or ip_address,
            object_repr=" / ".join(x for x in (username, ip_address) if x),
            message=f"{count} attempt record(s) cleared",
        )
    return count
