"""Readable labels for audit actions ("<entity>.<verb>"). An action without a label shows as is."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "auth.lockout": _("Locked out"),
    "auth.unlock": _("Unlocked"),
    "auth.otp_verify": _("Verified second factor"),
    "auth.otp_failed": _("Wrong second-factor code"),
    "access.denied": _("Permission denied"),
    "access.out_of_scope": _("Access outside scope refused"),
    "organization.create": _("Created organization"),
    "organization.update": _("Changed organization"),
    "user.create": _("Created user"),
    "user.update": _("Changed user"),
    "user.activate": _("Enabled account"),
    "user.deactivate": _("Disabled account"),
    "user.password_reset": _("Reset password"),
    "user.password_change": _("Changed own password"),
    "role.grant": _("Granted role"),
    "role.revoke": _("Revoked role"),
    "token.create": _("Created API token"),
    "token.revoke": _("Revoked API token"),
    "token.use": _("Used API token"),
    "totp.enroll": _("Set up second factor"),
    "totp.enroll_failed": _("Failed to set up second factor"),
    "totp.reset": _("Removed second factor"),
    "audit.export": _("Exported audit events"),
    "audit.verify": _("Verified audit chain"),
    "audit.purge": _("Purged old audit events"),
    "calendar.seed": _("Loaded calendar years"),
    "calendar.year_set": _("Entered holiday notice"),
    "calendar.import_upload": _("Uploaded calendar XLSX"),
    "policy.set": _("Changed policy"),
    "job.download": _("Downloaded file"),
    "demo.load": _("Loaded demo data"),
}


def action_label(action: str):
    return ACTION_LABELS.get(action, action)
