"""Organizations (Art. 2, 4), the people in them and their roles (Art. 16), API tokens."""

from __future__ import annotations

import secrets
from functools import cached_property

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.fields import EncryptedTextField
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, SEPARATED_ADMIN_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopedQuerySet, ScopePolicy
from govcloud.organizations.usernames import canonical_username
from govcloud.organizations.validators import validate_credit_code


class OrganizationKind(models.TextChoices):
    CENTER = "center", _("E-government center")
    PROVIDER = "provider", _("Cloud provider")
    DEPARTMENT = "department", _("Department")
    FINANCE = "finance", _("Finance")
    LEADING_GROUP = "leading_group", _("Leading group")


class OrganizationLevel(models.TextChoices):
    CITY = "city", pgettext_lazy("organization level", "City")
    DISTRICT = "district", pgettext_lazy("organization level", "District / county-level city")
    DEPARTMENT = "department", pgettext_lazy("organization level", "Department")
    UNIT = "unit", pgettext_lazy("organization level", "Unit")


# Art. 4 tree: which level may sit under which.
ALLOWED_CHILD_LEVELS: dict[str, frozenset[str]] = {
    OrganizationLevel.CITY: frozenset({OrganizationLevel.DISTRICT, OrganizationLevel.DEPARTMENT}),
    OrganizationLevel.DISTRICT: frozenset({OrganizationLevel.DEPARTMENT}),
    OrganizationLevel.DEPARTMENT: frozenset({OrganizationLevel.UNIT}),
    OrganizationLevel.UNIT: frozenset({OrganizationLevel.UNIT}),
}

# Staff who work across departments see the whole directory of organizations.
_DIRECTORY_ROLES = CENTER_ROLES | {
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
    Role.PROVIDER_OPERATOR,
    Role.FINANCE_VIEWER,
    Role.LEADING_GROUP,
}


class Organization(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=OrganizationLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialized path of ids ("/1/4/17/"): a subtree is one indexed `startswith` query.
    path = models.CharField(max_length=255, db_index=True, editable=False, blank=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = EncryptedTextField(_("contact phone"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="path",
        see_all={Action.VIEW: _DIRECTORY_ROLES, Action.CHANGE: frozenset({Role.SYSTEM_ADMIN})},
        own_org={Action.VIEW: frozenset(Role) - _DIRECTORY_ROLES},
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Organization) -> bool:
        return bool(other.path) and self.path.startswith(other.path)


class UserQuerySet(ScopedQuerySet):
    def with_roles(self):
        return self.select_related("organization").prefetch_related("role_assignments")


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_by_natural_key(self, username):
        # Names are stored canonical (User.save), so an exact match on the unique index finds them.
        return self.get(username=canonical_username(username))


def _self_only(user, action):
    return Q(pk=user.pk)


def new_security_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractBaseUser):
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Letters, digits and . _ - only."),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="users"
    )
    title = models.CharField(_("position"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    must_change_password = models.BooleanField(_("must change password at next login"), default=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Part of every session's authentication hash: a new stamp ends all the account's sessions at
    # their next request (services._user_end_access, after every security-relevant change of the account).
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)

    objects = UserManager()
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={
            Action.VIEW: CENTER_ROLES | {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
            Action.CHANGE: frozenset({Role.SYSTEM_ADMIN}),
        },
        own_org={Action.VIEW: frozenset({Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})},
        extra=_self_only,
    )

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Names are stored canonical; this holds even for a write that bypasses save().
            models.UniqueConstraint(
                Lower("username"),
                name="organizations_user_username_ci_unique",
                violation_error_message=_("This username is taken."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    @classmethod
    def normalize_username(cls, username):
        # AbstractBaseUser.clean() (model forms, full_clean) calls this before checking uniqueness.
        return canonical_username(username) if isinstance(username, str) else username

    def save(self, *args, **kwargs):
        # Every way of writing an account stores the one spelling of its name.
        self.username = self.normalize_username(self.username)
        super().save(*args, **kwargs)

    def _stamped_session_auth_hash(self, secret=None) -> str:
        return salted_hmac(
            "govcloud.organizations.User.session_auth_hash",
            f"{self.password}\n{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        # Django ends a session whose stored hash differs: a new password or a new security stamp.
        return self._stamped_session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._stamped_session_auth_hash(secret=fallback_secret)

    @cached_property
    def roles(self) -> frozenset[Role]:
        # Uses the prefetch cache when the queryset asked for it (lists), else one query.
        return frozenset(Role(a.role) for a in self.role_assignments.all())

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @cached_property
    def has_totp_device(self) -> bool:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.filter(user=self, confirmed=True).exists()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="organizations_role_once"),
            # 三员分立 enforced by the database too: at most one of the three administrator roles
            # per account, even if two requests race past the service's check.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role__in=sorted(SEPARATED_ADMIN_ROLES)),
                name="organizations_one_separated_admin_role",
            ),
        ]
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


def _own_tokens(user, action):
    return Q(user=user)


class ApiToken(models.Model):
    """A personal access token for the REST API: shown once, stored as an SM3 hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.CharField(_("last used from"), max_length=64, blank=True)

    objects = ScopedManager()
    # Everyone sees their own tokens; the security admin sees all, to revoke one in an incident.
    scope_policy = ScopePolicy(
        org_path=None,
        own_org={},
        see_all={Action.VIEW: frozenset({Role.SECURITY_ADMIN}), Action.CHANGE: frozenset({Role.SECURITY_ADMIN})},
        extra=_own_tokens,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (gct_{self.prefix}_…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
