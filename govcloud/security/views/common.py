"""What the security pages share: pagination, the section's tabs, sending attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from govcloud.core.actors import actor_roles
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.security.services.attachments import attachment_open

PROVIDER = frozenset({Role.PROVIDER_OPERATOR})
SECURITY_ROLES = CENTER_ROLES | DEPARTMENT_ROLES | PROVIDER

# The section's tabs: (key, label, url name, roles that see the tab).
TABS = [
    ("overview", _("Overview"), "security:overview", SECURITY_ROLES),
    ("filings", _("Address filings"), "security:filing_list", SECURITY_ROLES),
    ("ports", _("Port requests"), "security:port_request_list", SECURITY_ROLES),
    ("grants", _("Access grants"), "security:grant_list", SECURITY_ROLES),
    ("sessions", _("Access sessions"), "security:session_list", SECURITY_ROLES),
    ("bulletins", _("Security bulletins"), "security:bulletin_list", SECURITY_ROLES),
    ("notices", _("Security notices"), "security:notice_list", CENTER_ROLES | DEPARTMENT_ROLES),
    ("security_events", _("Security events"), "security:security_event_list", SECURITY_ROLES),
    ("plans", _("Emergency plans"), "security:plan_list", SECURITY_ROLES),
    ("drills", _("Emergency drills"), "security:drill_list", SECURITY_ROLES),
    ("events", _("Major events"), "security:event_list", CENTER_ROLES | PROVIDER),
    ("protection", _("Protection plans"), "security:protection_list", CENTER_ROLES | PROVIDER),
]


def page(request, template: str, context: dict, *, tab: str):
    roles = actor_roles(request.user)
    tabs = [(key, label, url) for key, label, url, who in TABS if who & roles]
    return render(request, template, {"tabs": tabs, "active_tab": tab, **context})


SAVE = _("Save")


def form_page(request, form, *, tab: str, heading, cancel_url: str, intro="", submit=SAVE, multipart=False):
    """The one page every simple security form uses."""
    return page(
        request,
        "security/form.html",
        {
            "form": form,
            "heading": heading,
            "intro": intro,
            "cancel_url": cancel_url,
            "submit_label": submit,
            "multipart": multipart,
        },
        tab=tab,
    )


def error_messages(request, exc: ValidationError) -> None:
    """A service's refusal of a one-button action, shown as messages on the page it returns to."""
    for message in exc.messages:
        messages.error(request, message)


def send_attachment(request, attachment, owner):
    path = attachment_open(actor=request.user, attachment=attachment, owner=owner)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
