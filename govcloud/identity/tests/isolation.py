"""Unified sign-on's part of the isolation harness (see tests/isolation.py).

Link requests and identity links are the system administrator's alone: department A's pending request
and its link carry the marker; every other role gets the same 403 for them as for a missing one.
The sign-on endpoints themselves are public (they answer 404 while no platform is configured)."""

from govcloud.core.roles import Role
from govcloud.identity.models import IdentityLink, IdentityLinkRequest
from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    world.a_sysadmin = world.city.user(Role.SYSTEM_ADMIN)
    world.a_link_request = IdentityLinkRequest.objects.create(
        protocol="oidc",
        issuer="https://idp.example.gov.cn",
        subject=f"sub-{MARKER}",
        display_name=f"赵{MARKER}",
        email="zhao@example.gov.cn",
    )
    IdentityLink.objects.create(
        user=world.a_user, protocol="cas", issuer="https://cas.example.gov.cn/cas/", subject=f"link-{MARKER}"
    )


def _request(world) -> dict:
    return {"pk": world.a_link_request.pk}


def _missing(world) -> dict:
    return MISSING_INT


ENDPOINTS = {
    "identity:oidc_login": Probe(Kind.PUBLIC),
    "identity:oidc_callback": Probe(Kind.PUBLIC),
    "identity:oidc_backchannel_logout": Probe(Kind.PUBLIC),
    "identity:cas_login": Probe(Kind.PUBLIC),
    "identity:cas_callback": Probe(Kind.PUBLIC),
    "identity:not_provisioned": Probe(Kind.SHARED),
    "identity:link_request_list": Probe(Kind.LIST, query="status=all"),
    "identity:link_request_detail": Probe(Kind.DETAIL, _request, _missing, owner_sees_marker=True, owner="a_sysadmin"),
    "identity:link_request_link": Probe(Kind.DETAIL, _request, _missing, methods=("post",), data={"user": "1"}),
    "identity:link_request_create_account": Probe(
        Kind.DETAIL, _request, _missing, methods=("post",), data={"username": "x", "full_name": MARKER}
    ),
    "identity:link_request_refuse": Probe(Kind.DETAIL, _request, _missing, methods=("post",), data={"note": "x"}),
    "identity-link-request-list": Probe(Kind.LIST),
    "identity-link-request-detail": Probe(Kind.DETAIL, _request, _missing, owner_sees_marker=True, owner="a_sysadmin"),
    "identity-link-request-link": Probe(Kind.DETAIL, _request, _missing, methods=("post",), data={"user": 1}),
    "identity-link-request-refuse": Probe(Kind.DETAIL, _request, _missing, methods=("post",), data={"note": "x"}),
}
