"""Internet exposure (Annex 1, network access): an internet-facing resource goes live only after its
public address is filed (地址报备), and every inbound port — 80 and 443 included — stays closed
until a port opening request (端口开放申请) for it is approved by the center.

The effective open-port list of an address is `OpenPort`; `PortChange` is its full history (who
opened or closed which port, when, on which request). `FilingEvent` is the readable timeline of
the filing and everything done on its address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

# Department roles that file addresses and ask for ports for their own systems (the same people
# who may change the system registry).
FILERS = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})
# The provider configures the firewall from the approved list, so it reads every filing.
EXPOSURE_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR}


class Protocol(models.TextChoices):
    TCP = "tcp", "TCP"
    UDP = "udp", "UDP"


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    COMPLETE = "complete", pgettext_lazy("address filing status", "Complete")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FilingAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    COMPLETE = "complete", pgettext_lazy("address filing action", "Complete")
    REJECT = "reject", _("Reject")
    WITHDRAW = "withdraw", _("Withdraw")


# Every allowed move of a filing, once: (from, action) → (to, who may do it). A rejected filing is
# corrected and submitted again; a complete one is withdrawn when the address is given up, which
# closes all its ports.
FILING_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role]]] = {
    (FilingStatus.DRAFT, FilingAction.SUBMIT): (FilingStatus.SUBMITTED, FILERS),
    (FilingStatus.REJECTED, FilingAction.SUBMIT): (FilingStatus.SUBMITTED, FILERS),
    (FilingStatus.SUBMITTED, FilingAction.COMPLETE): (FilingStatus.COMPLETE, CENTER_ROLES),
    (FilingStatus.SUBMITTED, FilingAction.REJECT): (FilingStatus.REJECTED, CENTER_ROLES),
    (FilingStatus.DRAFT, FilingAction.WITHDRAW): (FilingStatus.WITHDRAWN, FILERS),
    (FilingStatus.SUBMITTED, FilingAction.WITHDRAW): (FilingStatus.WITHDRAWN, FILERS),
    (FilingStatus.REJECTED, FilingAction.WITHDRAW): (FilingStatus.WITHDRAWN, FILERS),
    (FilingStatus.COMPLETE, FilingAction.WITHDRAW): (FilingStatus.WITHDRAWN, FILERS | {Role.CENTER_ADMIN}),
}
# States in which the department may still edit what it filed.
FILING_EDITABLE = frozenset({FilingStatus.DRAFT, FilingStatus.REJECTED})

EXPOSURE_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: EXPOSURE_VIEWERS, Action.CHANGE: CENTER_ROLES},
    own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: FILERS},
)


class AddressFiling(TimeStampedModel):
    """One public address of an internet-facing information system (Annex 1 地址报备)."""

    # The system's owner, kept here so scope and audit find the department in one step.
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        on_delete=models.PROTECT,
        related_name="address_filings",
    )
    address = models.GenericIPAddressField(_("public address"))
    domain = models.CharField(_("domain name"), max_length=253, blank=True)
    # [{"port": 443, "protocol": "tcp"}, ...]: what the department says it will need. Requesting
    # here opens nothing: each port is opened by its own approved port opening request.
    requested_ports = models.JSONField(_("ports and protocols requested"), default=list, blank=True)
    purpose = models.TextField(_("purpose and notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.DRAFT, db_index=True
    )
    reference = models.CharField(_("filing reference"), max_length=100, blank=True)
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = EXPOSURE_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("address filing")
        verbose_name_plural = _("address filings")
        constraints = [
            # An address belongs to one live filing at a time; a withdrawn one frees it.
            models.UniqueConstraint(
                fields=["address"], condition=~Q(status="withdrawn"), name="security_one_live_filing_per_address"
            ),
            models.CheckConstraint(
                condition=~Q(status="complete") | ~Q(reference=""), name="security_complete_filing_has_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address}{f' ({self.domain})' if self.domain else ''}"

    @property
    def ip_version(self) -> int:
        return ipaddress.ip_address(self.address).version

    @property
    def is_editable(self) -> bool:
        return self.status in FILING_EDITABLE

    @property
    def requested_ports_display(self) -> str:
        return ", ".join(f"{p['port']}/{p['protocol']}" for p in self.requested_ports or [])


class PortRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PortRequestAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    WITHDRAW = "withdraw", _("Withdraw")


PORT_REQUEST_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role]]] = {
    (PortRequestStatus.SUBMITTED, PortRequestAction.APPROVE): (PortRequestStatus.APPROVED, CENTER_ROLES),
    (PortRequestStatus.SUBMITTED, PortRequestAction.REJECT): (PortRequestStatus.REJECTED, CENTER_ROLES),
    (PortRequestStatus.SUBMITTED, PortRequestAction.WITHDRAW): (PortRequestStatus.WITHDRAWN, FILERS),
}

_PORT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(65535)]


class PortRequest(TimeStampedModel):
    """A port opening request (端口开放申请) against a complete filing."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    filing = models.ForeignKey(
        AddressFiling, verbose_name=_("address filing"), on_delete=models.PROTECT, related_name="port_requests"
    )
    port = models.PositiveIntegerField(_("port"), validators=_PORT_VALIDATORS)
    protocol = models.CharField(_("protocol"), max_length=3, choices=Protocol.choices, default=Protocol.TCP)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PortRequestStatus.choices,
        default=PortRequestStatus.SUBMITTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    objects = ScopedManager()
    scope_policy = EXPOSURE_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("port opening request")
        verbose_name_plural = _("port opening requests")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "port", "protocol"],
                condition=Q(status="submitted"),
                name="security_one_pending_request_per_port",
            )
        ]

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol}"


class OpenPort(models.Model):
    """A port open now on a filed address: exactly the approved requests not closed since."""

    filing = models.ForeignKey(AddressFiling, on_delete=models.CASCADE, related_name="open_ports")
    port = models.PositiveIntegerField(_("port"), validators=_PORT_VALIDATORS)
    protocol = models.CharField(_("protocol"), max_length=3, choices=Protocol.choices)
    opened_at = models.DateTimeField(_("opened at"))
    request = models.ForeignKey(
        PortRequest, verbose_name=_("port opening request"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="filing__organization__path",
        see_all=EXPOSURE_SCOPE.see_all,
        own_org=EXPOSURE_SCOPE.own_org,
    )

    class Meta:
        ordering = ["port", "protocol"]
        verbose_name = _("open port")
        verbose_name_plural = _("open ports")
        constraints = [
            models.UniqueConstraint(fields=["filing", "port", "protocol"], name="security_port_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol}"


class PortChangeKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    CLOSED = "closed", _("Closed")


class PortChange(models.Model):
    """The history of an address's ports, appended to and never changed."""

    filing = models.ForeignKey(AddressFiling, on_delete=models.CASCADE, related_name="port_changes")
    port = models.PositiveIntegerField(_("port"))
    protocol = models.CharField(_("protocol"), max_length=3, choices=Protocol.choices)
    change = models.CharField(_("change"), max_length=8, choices=PortChangeKind.choices)
    request = models.ForeignKey(
        PortRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("request")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    occurred_at = models.DateTimeField(_("time"))

    objects = ScopedManager()
    scope_policy = OpenPort.scope_policy

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("port change")
        verbose_name_plural = _("port changes")

    def __str__(self) -> str:
        return f"{self.get_change_display()} {self.port}/{self.protocol}"


class FilingEventKind(models.TextChoices):
    CREATED = "created", _("Filing drafted")
    UPDATED = "updated", _("Filing changed")
    SUBMITTED = "submitted", _("Filing submitted")
    COMPLETED = "completed", _("Filing completed")
    REJECTED = "rejected", _("Filing rejected")
    WITHDRAWN = "withdrawn", _("Filing withdrawn")
    PORT_REQUESTED = "port_requested", _("Port opening requested")
    PORT_APPROVED = "port_approved", _("Port opening approved")
    PORT_REJECTED = "port_rejected", _("Port opening rejected")
    PORT_WITHDRAWN = "port_withdrawn", _("Port opening request withdrawn")
    PORT_CLOSED = "port_closed", _("Port closed")


class FilingEvent(models.Model):
    """The filing's timeline, as people read it."""

    filing = models.ForeignKey(AddressFiling, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=20, choices=FilingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.actor_name}"
