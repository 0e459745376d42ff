"""Login, logout, failed logins and lockouts are audit events (MLPS; Cybersecurity Law Art. 21).

Django and django-axes announce them with signals; these receivers write the events. They run
within the request, so the request id and source address are in the event.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record
from govcloud.organizations.models import User
from govcloud.organizations.usernames import canonical_username


@receiver(user_logged_in, dispatch_uid="govcloud_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target=user)


@receiver(user_logged_out, dispatch_uid="govcloud_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed, dispatch_uid="govcloud_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = canonical_username(str(credentials.get("username", "")))[:150]
    known = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        actor_username=username or "anonymous",
        action="auth.login_failed",
        target=known,
        object_type="organizations.user",
        object_id=known.pk if known else "",
        object_repr=username,
        outcome=Outcome.FAILURE,
    )


@receiver(user_locked_out, dispatch_uid="govcloud_audit_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        actor=None,
        actor_username=username or "anonymous",
        action="auth.lockout",
        object_type="organizations.user",
        object_id=username or ip_address,
        object_repr=f"{username or ''} @ {ip_address}",
        outcome=Outcome.DENIED,
    )
