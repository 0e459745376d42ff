"""A GovCloud logout ends the sign-on session it was opened with, as an audit event naming the
identity (the platform's own logout follows: organizations.views.LogoutView)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from govcloud.identity import services


@receiver(user_logged_out, dispatch_uid="govcloud_identity_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None or request is None:
        return
    key = request.session.session_key
    if key:
        services.sign_on_logout(user=user, session_key=key)
