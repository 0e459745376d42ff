"""Internet exposure (Annex 1): address filings, port opening requests, the open-port list, and the
go-live clearance the application workflow asks before an internet-facing system goes live.

Every inbound port of a filed address is closed — 80 and 443 included — until a port opening
request for it is approved; approving adds the port to the address's open list, closing removes
it, and both are kept in the address's port history.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles
from govcloud.security.models import (
    FILERS,
    FILING_TRANSITIONS,
    PORT_REQUEST_TRANSITIONS,
    AddressFiling,
    FilingAction,
    FilingEvent,
    FilingEventKind,
    FilingStatus,
    OpenPort,
    PortChange,
    PortChangeKind,
    PortRequest,
    PortRequestAction,
    PortRequestStatus,
    Protocol,
)
from govcloud.security.services.common import actor_user, locked, require_transition
from govcloud.systems.models import InformationSystem

MAX_REQUESTED_PORTS = 20
FILING_FIELDS = ("system", "address", "domain", "requested_ports", "purpose")
FILING_STATE_FIELDS = ("status", "reference", "filed_on", "decision_comment")
PORT_REQUEST_FIELDS = ("filing", "port", "protocol", "reason")
_EVENT_FOR_ACTION = {
    FilingAction.SUBMIT: FilingEventKind.SUBMITTED,
    FilingAction.COMPLETE: FilingEventKind.COMPLETED,
    FilingAction.REJECT: FilingEventKind.REJECTED,
    FilingAction.WITHDRAW: FilingEventKind.WITHDRAWN,
}
_EVENT_FOR_PORT_ACTION = {
    PortRequestAction.APPROVE: FilingEventKind.PORT_APPROVED,
    PortRequestAction.REJECT: FilingEventKind.PORT_REJECTED,
    PortRequestAction.WITHDRAW: FilingEventKind.PORT_WITHDRAWN,
}


@dataclass(frozen=True)
class Clearance:
    """Whether something may go live, and if not, every reason why (in the user's language)."""

    cleared: bool
    reasons: list[str] = field(default_factory=list)


# --- Validation ------------------------------------------------------------------------------------


def normalize_public_address(value: str) -> str:
    """The canonical text of a public IPv4/IPv6 address; private, loopback, link-local, shared
    (100.64/10), documentation and reserved ranges are not internet addresses and are refused."""
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ValidationError({"address": _("Enter a valid IPv4 or IPv6 address.")})
    if not ip.is_global or ip.is_multicast:
        raise ValidationError({"address": _("%(address)s is not a public internet address.") % {"address": str(ip)}})
    return str(ip)


def normalize_domain(value: str) -> str:
    domain = (value or "").strip().rstrip(".").lower()
    if domain:
        try:
            DomainNameValidator(accept_idna=True)(domain)
        except ValidationError:
            raise ValidationError({"domain": _("Enter a valid domain name, e.g. www.example.gov.cn.")})
    return domain


def normalize_ports(items: Iterable) -> list[dict]:
    """[{"port": int, "protocol": "tcp"|"udp"}] without duplicates, in port order."""
    seen: dict[tuple[int, str], dict] = {}
    for item in items or []:
        try:
            port = int(item["port"])
            protocol = str(item.get("protocol") or Protocol.TCP).lower()
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"requested_ports": _("Give each port as a number and a protocol.")})
        if not 1 <= port <= 65535:
            raise ValidationError({"requested_ports": _("A port is a number from 1 to 65535.")})
        if protocol not in Protocol.values:
            raise ValidationError({"requested_ports": _("The protocol is TCP or UDP.")})
        seen[(port, protocol)] = {"port": port, "protocol": protocol}
    if len(seen) > MAX_REQUESTED_PORTS:
        raise ValidationError({"requested_ports": _("At most %(n)d ports per address.") % {"n": MAX_REQUESTED_PORTS}})
    return [seen[key] for key in sorted(seen)]


def parse_port_list(text: str) -> list[dict]:
    """'443/tcp, 80, 53/udp' → normalized ports (TCP when no protocol is given)."""
    items = []
    for token in (text or "").replace("，", ",").replace(";", ",").replace("\n", ",").split(","):
        token = token.strip()
        if not token:
            continue
        port, _sep, protocol = token.partition("/")
        if not port.strip().isdigit():
            raise ValidationError(
                {"requested_ports": _("“%(token)s” is not a port; write e.g. 443/tcp.") % {"token": token}}
            )
        items.append({"port": int(port), "protocol": protocol.strip() or Protocol.TCP})
    return normalize_ports(items)


def _check_system(actor: Actor, system: InformationSystem) -> InformationSystem:
    # The department files only for its own systems: the registry's scope decides.
    system = get_scoped_or_404(
        InformationSystem.objects.select_related("organization"), actor, Action.CHANGE, pk=system.pk
    )
    if system.classified or not system.internet_facing:
        raise ValidationError(
            {"system": _("Only an internet-facing system has public addresses to file; mark it internet-facing first.")}
        )
    if not system.is_active:
        raise ValidationError({"system": _("This system is no longer active.")})
    return system


def _check_address_free(address: str, *, exclude_pk=None) -> None:
    taken = AddressFiling.objects.filter(address=address).exclude(status=FilingStatus.WITHDRAWN)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"address": _("This address is already filed; withdraw that filing first.")})


def _event(filing: AddressFiling, kind: FilingEventKind, actor: Actor, comment: str = "") -> None:
    FilingEvent.objects.create(
        filing=filing, kind=kind, actor=actor_user(actor), actor_name=actor_name(actor), comment=comment
    )


def _link(filing: AddressFiling) -> str:
    return reverse("security:filing_detail", args=[filing.pk])


# --- Address filings -------------------------------------------------------------------------------


def address_filing_create(
    *,
    actor: Actor,
    system: InformationSystem,
    address: str,
    domain: str = "",
    requested_ports: Iterable = (),
    purpose: str = "",
) -> AddressFiling:
    """Draft a filing for one public address of the actor's own internet-facing system."""
    require_role(actor, FILERS)
    address = normalize_public_address(address)
    domain = normalize_domain(domain)
    ports = normalize_ports(requested_ports)
    with transaction.atomic():
        system = _check_system(actor, system)
        _check_address_free(address)
        filing = AddressFiling(
            organization=system.organization,
            system=system,
            address=address,
            domain=domain,
            requested_ports=ports,
            purpose=purpose.strip(),
            created_by=actor_user(actor),
        )
        try:
            with transaction.atomic():
                filing.save()
        except IntegrityError:
            # Another filing of the same address was saved at the same moment.
            raise ValidationError({"address": _("This address is already filed; withdraw that filing first.")})
        _event(filing, FilingEventKind.CREATED, actor)
        audit_record(actor=actor, action="address_filing.create", target=filing, changes=created(filing, FILING_FIELDS))
    return filing


def address_filing_update(*, actor: Actor, filing: AddressFiling, **fields) -> AddressFiling:
    """Change a draft or rejected filing (what was submitted or completed stays as it was)."""
    require_role(actor, FILERS)
    unknown = set(fields) - {"address", "domain", "requested_ports", "purpose"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "address" in fields:
        fields["address"] = normalize_public_address(fields["address"])
    if "domain" in fields:
        fields["domain"] = normalize_domain(fields["domain"])
    if "requested_ports" in fields:
        fields["requested_ports"] = normalize_ports(fields["requested_ports"])
    with transaction.atomic():
        filing = locked(AddressFiling, actor, filing.pk)
        if not filing.is_editable:
            raise ValidationError(_("Only a draft or a rejected filing can be changed."))
        before = snapshot(filing, FILING_FIELDS)
        for key, value in fields.items():
            setattr(filing, key, value.strip() if key == "purpose" else value)
        if "address" in fields:
            _check_address_free(filing.address, exclude_pk=filing.pk)
        filing.save()
        changes = diff(before, snapshot(filing, FILING_FIELDS))
        if changes:
            _event(filing, FilingEventKind.UPDATED, actor, ", ".join(sorted(changes)))
            audit_record(actor=actor, action="address_filing.update", target=filing, changes=changes)
    return filing


def address_filing_transition(
    *,
    actor: Actor,
    filing: AddressFiling,
    action: str,
    comment: str = "",
    reference: str = "",
    filed_on: date | None = None,
) -> AddressFiling:
    """Move a filing along FILING_TRANSITIONS: the department submits (or withdraws), the center
    completes it with the filing reference or rejects it with a reason. Withdrawing a complete
    filing closes every port of the address."""
    action = FilingAction(action)
    comment = (comment or "").strip()
    with transaction.atomic():
        # VIEW scope: a department sees only its own filings (so it acts only on those), the
        # center every filing; the table then decides whether the role may take this step.
        filing = locked(AddressFiling, actor, filing.pk, Action.VIEW)
        target = require_transition(
            FILING_TRANSITIONS, filing.status, action, actor, labels=(FilingStatus, FilingAction)
        )
        before = snapshot(filing, FILING_STATE_FIELDS)
        now = timezone.now()
        if action == FilingAction.SUBMIT:
            filing.submitted_at = now
            filing.decision_comment = ""
        elif action == FilingAction.COMPLETE:
            reference = (reference or "").strip()
            if not reference:
                raise ValidationError({"reference": _("Enter the filing reference to complete the filing.")})
            filing.reference = reference[:100]
            filing.filed_on = filed_on or timezone.localdate()
            if filing.filed_on > timezone.localdate():
                raise ValidationError({"filed_on": _("The filing date cannot be in the future.")})
            filing.decided_at, filing.decided_by, filing.decision_comment = now, actor_user(actor), comment
        elif action == FilingAction.REJECT:
            if not comment:
                raise ValidationError(
                    {"comment": _("Say why the filing is rejected, so the department can correct it.")}
                )
            filing.decided_at, filing.decided_by, filing.decision_comment = now, actor_user(actor), comment
        closed = []
        if action == FilingAction.WITHDRAW:
            closed = _close_all_ports(filing, actor, reason=_("Address filing withdrawn"))
            PortRequest.objects.filter(filing=filing, status=PortRequestStatus.SUBMITTED).update(
                status=PortRequestStatus.WITHDRAWN, decided_at=now, decided_by=actor_user(actor)
            )
        filing.status = target
        filing.save()
        _event(filing, _EVENT_FOR_ACTION[action], actor, comment)
        audit_record(
            actor=actor,
            action=f"address_filing.{action}",
            target=filing,
            changes=diff(before, snapshot(filing, FILING_STATE_FIELDS)),
            message=comment,
        )
        _notify_filing(filing, action, closed)
    return filing


def _notify_filing(filing: AddressFiling, action: str, closed: list[str]) -> None:
    params = {"address": filing.address, "system": filing.system.name}
    link = _link(filing)
    if action == FilingAction.SUBMIT:
        notify_roles(
            roles=CENTER_ROLES,
            kind="security.filing_submitted",
            title=_("Address filing to review: %(address)s (%(system)s)") % params,
            link=link,
        )
    elif action in (FilingAction.COMPLETE, FilingAction.REJECT):
        title = (
            _("Address filing complete: %(address)s (%(system)s)")
            if action == FilingAction.COMPLETE
            else _("Address filing rejected: %(address)s (%(system)s)")
        ) % params
        notify_roles(
            roles=FILERS,
            organization=filing.organization,
            kind=f"security.filing_{action}",
            title=title,
            body=filing.decision_comment,
            link=link,
            severity=Severity.INFO if action == FilingAction.COMPLETE else Severity.WARNING,
        )
    elif action == FilingAction.WITHDRAW and closed:
        notify_roles(
            roles={Role.PROVIDER_OPERATOR},
            kind="security.ports_closed",
            title=_("Close every port of %(address)s: its filing was withdrawn") % params,
            body=", ".join(closed),
            link=link,
            severity=Severity.WARNING,
        )


def address_filing_submit(*, actor: Actor, filing: AddressFiling) -> AddressFiling:
    return address_filing_transition(actor=actor, filing=filing, action=FilingAction.SUBMIT)


def address_filing_complete(
    *, actor: Actor, filing: AddressFiling, reference: str, filed_on: date | None = None, comment: str = ""
) -> AddressFiling:
    return address_filing_transition(
        actor=actor,
        filing=filing,
        action=FilingAction.COMPLETE,
        reference=reference,
        filed_on=filed_on,
        comment=comment,
    )


def address_filing_reject(*, actor: Actor, filing: AddressFiling, comment: str) -> AddressFiling:
    return address_filing_transition(actor=actor, filing=filing, action=FilingAction.REJECT, comment=comment)


def address_filing_withdraw(*, actor: Actor, filing: AddressFiling, comment: str = "") -> AddressFiling:
    return address_filing_transition(actor=actor, filing=filing, action=FilingAction.WITHDRAW, comment=comment)


# --- Ports -----------------------------------------------------------------------------------------


def open_ports(*, filing: AddressFiling) -> list[OpenPort]:
    """The ports open now on the filing's address (empty until a request is approved)."""
    return list(OpenPort.objects.filter(filing=filing).select_related("request").order_by("port", "protocol"))


def port_request_submit(
    *, actor: Actor, filing: AddressFiling, port: int, protocol: str = Protocol.TCP, reason: str
) -> PortRequest:
    """Ask the center to open one port of a complete filing's address, saying why."""
    require_role(actor, FILERS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this port must be open to the internet.")})
    (normalized,) = normalize_ports([{"port": port, "protocol": protocol}])
    port, protocol = normalized["port"], normalized["protocol"]
    with transaction.atomic():
        filing = locked(AddressFiling, actor, filing.pk)
        if filing.status != FilingStatus.COMPLETE:
            raise ValidationError(_("Ports can be requested only once the address filing is complete."))
        if OpenPort.objects.filter(filing=filing, port=port, protocol=protocol).exists():
            raise ValidationError({"port": _("Port %(port)s/%(protocol)s is already open.") % normalized})
        if PortRequest.objects.filter(
            filing=filing, port=port, protocol=protocol, status=PortRequestStatus.SUBMITTED
        ).exists():
            raise ValidationError({"port": _("A request for %(port)s/%(protocol)s is already waiting.") % normalized})
        request = PortRequest.objects.create(
            organization=filing.organization,
            filing=filing,
            port=port,
            protocol=protocol,
            reason=reason,
            requested_by=actor_user(actor),
        )
        _event(filing, FilingEventKind.PORT_REQUESTED, actor, f"{port}/{protocol}: {reason}")
        audit_record(
            actor=actor, action="port_request.submit", target=request, changes=created(request, PORT_REQUEST_FIELDS)
        )
        notify_roles(
            roles=CENTER_ROLES,
            kind="security.port_requested",
            title=_("Port opening to review: %(port)s/%(protocol)s on %(address)s")
            % {**normalized, "address": filing.address},
            body=reason,
            link=reverse("security:port_request_detail", args=[request.pk]),
        )
    return request


def port_request_decide(*, actor: Actor, request: PortRequest, action: str, comment: str = "") -> PortRequest:
    """The center approves (the port opens at once) or rejects (nothing opens); the department may
    withdraw while it waits."""
    action = PortRequestAction(action)
    comment = (comment or "").strip()
    with transaction.atomic():
        request = locked(PortRequest, actor, request.pk, Action.VIEW)
        target = require_transition(
            PORT_REQUEST_TRANSITIONS, request.status, action, actor, labels=(PortRequestStatus, PortRequestAction)
        )
        if action == PortRequestAction.REJECT and not comment:
            raise ValidationError({"comment": _("Say why the port stays closed.")})
        filing = (
            AddressFiling.objects.select_for_update(of=("self",)).select_related("system").get(pk=request.filing_id)
        )
        if action == PortRequestAction.APPROVE and filing.status != FilingStatus.COMPLETE:
            raise ValidationError(_("The address filing is no longer complete; nothing can be opened on it."))
        before = snapshot(request, ("status", "decision_comment"))
        now = timezone.now()
        request.status = target
        request.decided_at, request.decided_by, request.decision_comment = now, actor_user(actor), comment
        request.save()
        if action == PortRequestAction.APPROVE:
            OpenPort.objects.create(
                filing=filing, port=request.port, protocol=request.protocol, opened_at=now, request=request
            )
            PortChange.objects.create(
                filing=filing,
                port=request.port,
                protocol=request.protocol,
                change=PortChangeKind.OPENED,
                request=request,
                actor=actor_user(actor),
                actor_name=actor_name(actor),
                reason=request.reason,
                occurred_at=now,
            )
        _event(filing, _EVENT_FOR_PORT_ACTION[action], actor, f"{request.port}/{request.protocol} {comment}".strip())
        audit_record(
            actor=actor,
            action=f"port_request.{action}",
            target=request,
            changes=diff(before, snapshot(request, ("status", "decision_comment"))),
            message=f"{filing.address} {request.port}/{request.protocol}",
        )
        _notify_port_decision(filing, request, action)
    return request


def _notify_port_decision(filing: AddressFiling, request: PortRequest, action: str) -> None:
    params = {"port": request.port, "protocol": request.protocol, "address": filing.address}
    link = reverse("security:port_request_detail", args=[request.pk])
    if action == PortRequestAction.APPROVE:
        notify_roles(
            roles=FILERS,
            organization=filing.organization,
            kind="security.port_approved",
            title=_("Port %(port)s/%(protocol)s on %(address)s approved") % params,
            link=link,
        )
        # The provider configures the firewall from the approved list.
        notify_roles(
            roles={Role.PROVIDER_OPERATOR},
            kind="security.port_open",
            title=_("Open port %(port)s/%(protocol)s on %(address)s (approved)") % params,
            body=request.reason,
            link=link,
            severity=Severity.WARNING,
        )
    elif action == PortRequestAction.REJECT:
        notify_roles(
            roles=FILERS,
            organization=filing.organization,
            kind="security.port_rejected",
            title=_("Port %(port)s/%(protocol)s on %(address)s stays closed") % params,
            body=request.decision_comment,
            link=link,
            severity=Severity.WARNING,
        )


def port_request_approve(*, actor: Actor, request: PortRequest, comment: str = "") -> PortRequest:
    return port_request_decide(actor=actor, request=request, action=PortRequestAction.APPROVE, comment=comment)


def port_request_reject(*, actor: Actor, request: PortRequest, comment: str) -> PortRequest:
    return port_request_decide(actor=actor, request=request, action=PortRequestAction.REJECT, comment=comment)


def port_request_withdraw(*, actor: Actor, request: PortRequest) -> PortRequest:
    return port_request_decide(actor=actor, request=request, action=PortRequestAction.WITHDRAW)


def _close(filing: AddressFiling, open_port: OpenPort, actor: Actor, reason: str) -> PortChange:
    change = PortChange.objects.create(
        filing=filing,
        port=open_port.port,
        protocol=open_port.protocol,
        change=PortChangeKind.CLOSED,
        request=open_port.request,
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        reason=reason,
        occurred_at=timezone.now(),
    )
    open_port.delete()
    return change


def _close_all_ports(filing: AddressFiling, actor: Actor, *, reason: str) -> list[str]:
    changes = [_close(filing, p, actor, reason) for p in OpenPort.objects.filter(filing=filing)]
    closed = [f"{c.port}/{c.protocol}" for c in changes]
    if closed:
        _event(filing, FilingEventKind.PORT_CLOSED, actor, ", ".join(closed))
    return closed


def port_close(
    *, actor: Actor, filing: AddressFiling, port: int, protocol: str = Protocol.TCP, reason: str
) -> PortChange:
    """Close an open port (the department for its own address, or the center). It is open again
    only through a new approved request."""
    require_role(actor, FILERS | CENTER_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the port is closed.")})
    with transaction.atomic():
        filing = locked(AddressFiling, actor, filing.pk)
        open_port = (
            OpenPort.objects.select_for_update(of=("self",)).filter(filing=filing, port=port, protocol=protocol).first()
        )
        if open_port is None:
            raise ValidationError(
                {"port": _("Port %(port)s/%(protocol)s is not open.") % {"port": port, "protocol": protocol}}
            )
        change = _close(filing, open_port, actor, reason)
        label = f"{change.port}/{change.protocol}"
        _event(filing, FilingEventKind.PORT_CLOSED, actor, f"{label}: {reason}")
        audit_record(
            actor=actor,
            action="port.close",
            target=filing,
            changes={"open_ports": [label, None]},
            message=reason,
        )
        notify_roles(
            roles={Role.PROVIDER_OPERATOR},
            kind="security.port_closed",
            title=_("Close port %(port)s on %(address)s") % {"port": label, "address": filing.address},
            body=reason,
            link=_link(filing),
            severity=Severity.WARNING,
        )
    return change


# --- Clearance (called by the application workflow and, later, by resources) -----------------------


def address_go_live_clearance(*, system: InformationSystem) -> Clearance:
    """Annex 1: an internet-facing system goes live only when it has at least one public address
    and every one of its addresses has a complete filing. A system that is not internet-facing is
    cleared. Withdrawn filings are addresses given up and do not count."""
    if not system.internet_facing:
        return Clearance(cleared=True)
    filings = list(
        AddressFiling.objects.filter(system=system).exclude(status=FilingStatus.WITHDRAWN).order_by("address")
    )
    if not filings:
        return Clearance(
            cleared=False,
            reasons=[
                _(
                    "%(system)s is internet-facing but has no address filing: file each public address "
                    "before going live (Annex 1)."
                )
                % {"system": system.name}
            ],
        )
    reasons = [
        _("The address filing of %(address)s is not complete (it is “%(status)s”).")
        % {"address": f.address, "status": f.get_status_display()}
        for f in filings
        if f.status != FilingStatus.COMPLETE
    ]
    return Clearance(cleared=not reasons, reasons=reasons)


def address_clearance(*, address: str, port: int | None = None, protocol: str = Protocol.TCP) -> Clearance:
    """For one public address (a resource's, later): is it filed, and — when a port is given — is
    that port open on it by an approved request?"""
    try:
        address = str(ipaddress.ip_address(str(address).strip()))
    except ValueError:
        return Clearance(cleared=False, reasons=[_("Enter a valid IPv4 or IPv6 address.")])
    filing = AddressFiling.objects.filter(address=address, status=FilingStatus.COMPLETE).first()
    if filing is None:
        return Clearance(
            cleared=False,
            reasons=[_("%(address)s has no complete address filing (Annex 1).") % {"address": address}],
        )
    if port is not None and not OpenPort.objects.filter(filing=filing, port=port, protocol=protocol).exists():
        return Clearance(
            cleared=False,
            reasons=[
                _("Port %(port)s/%(protocol)s is closed on %(address)s: no approved port opening request.")
                % {"port": port, "protocol": protocol, "address": address}
            ],
        )
    return Clearance(cleared=True)
