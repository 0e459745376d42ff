"""The CAS 2.0/3.0 client: login and logout URLs, service ticket validation, single logout requests.

python-cas (the protocol client of django-cas-ng) validates a ticket at `serviceValidate`
(`p3/serviceValidate` for CAS 3.0, which also releases attributes). A ticket is valid once: the CAS
server refuses a replay, and that refusal is ours too.

A single logout request (the CAS server's POST of a SAML LogoutRequest) names the service ticket the
session was opened with (SessionIndex). The ticket was known only to the browser and the two servers,
so it is what authorizes the request; the XML is parsed without entities or network access.
"""

from __future__ import annotations

import requests
from cas import CASClient
from django.utils.translation import gettext as _
from lxml import etree

from govcloud.identity.config import CasConfig
from govcloud.identity.errors import SignOnRefused

_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"


class _TimeoutSession(requests.Session):
    """python-cas calls the server without a timeout: a hung CAS server must not hang a worker."""

    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        return super().request(*args, **kwargs)


def client(config: CasConfig, service_url: str):
    return CASClient(
        version=config.version,
        service_url=service_url,
        server_url=config.server_url,
        session=_TimeoutSession(config.timeout),
    )


def login_url(config: CasConfig, *, service_url: str) -> str:
    return client(config, service_url).get_login_url()


def logout_url(config: CasConfig, *, return_url: str) -> str:
    return client(config, return_url).get_logout_url(redirect_url=return_url)


def validate_ticket(config: CasConfig, *, ticket: str, service_url: str) -> tuple[str, dict]:
    """The user name and attributes the CAS server vouches for with `ticket`, or SignOnRefused."""
    if not ticket or len(ticket) > 256 or not ticket.startswith("ST-"):
        raise SignOnRefused("bad_ticket", _("The sign-in ticket is not valid. Sign in again."))
    try:
        user, attributes, _pgtiou = client(config, service_url).verify_ticket(ticket)
    except requests.RequestException:
        raise SignOnRefused(
            "platform_unreachable",
            _(
                "The unified identity platform cannot be reached. Try again later, or sign in with your GovCloud "
                "account."
            ),
        ) from None
    except (etree.ParseError, ValueError, SyntaxError):
        user, attributes = None, None
    if not user:
        raise SignOnRefused(
            "ticket_refused",
            _(
                "The identity platform did not accept this sign-in ticket (it was used already or has expired). "
                "Sign in again."
            ),
            issuer=config.server_url,
        )
    return str(user), dict(attributes or {})


def logout_request_session_index(body: str) -> str:
    """The SessionIndex (the service ticket) of a SAML LogoutRequest, or "" if it is not one."""
    if not body or len(body) > 20000:
        return ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body.encode("utf-8"), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return ""
    if root.tag != f"{{{_SAMLP}}}LogoutRequest":
        return ""
    index = root.find(f"{{{_SAMLP}}}SessionIndex")
    return (index.text or "").strip() if index is not None else ""
