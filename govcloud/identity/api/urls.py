"""Unified sign-on's API routes; govcloud/api.py calls register()."""

from govcloud.identity.api.views import IdentityLinkRequestViewSet


def register(router) -> None:
    router.register("identity/link-requests", IdentityLinkRequestViewSet, basename="identity-link-request")
