"""The roles of GovCloud (GLOSSARY.md) and the groups the rules talk about.

The vocabulary lives in `core` because every floor checks roles; the rules about who may hold which
role (三员分立, role versus organization kind) live in `organizations.services`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CENTER_ADMIN = "center_admin", _("E-government center administrator")
    CENTER_REVIEWER = "center_reviewer", _("E-government center reviewer")
    DEPARTMENT_APPLICANT = "department_applicant", _("Department applicant")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    DEPARTMENT_SECURITY_OFFICER = "department_security_officer", _("Department security officer")
    PROVIDER_OPERATOR = "provider_operator", _("Cloud provider operator")
    FINANCE_VIEWER = "finance_viewer", _("Finance viewer")
    EXPERT = "expert", _("Expert")
    LEADING_GROUP = "leading_group", _("Leading group member")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# 三员分立: no account may hold two of these three.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# MLPS level 3: administrators authenticate with a second factor.
TOTP_REQUIRED_ROLES = SEPARATED_ADMIN_ROLES | {Role.CENTER_ADMIN}
CENTER_ROLES = frozenset({Role.CENTER_ADMIN, Role.CENTER_REVIEWER})
# Roles whose view of department-owned data is their own organization and its units.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})
