"""Address filings, port opening requests and the go-live clearance (Annex 1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.notifications.models import Notification
from govcloud.security import services
from govcloud.security.models import (
    AddressFiling,
    FilingEvent,
    FilingStatus,
    OpenPort,
    PortChange,
    PortChangeKind,
    PortRequestStatus,
)
from govcloud.security.services.exposure import parse_port_list
from govcloud.security.tests.helpers import complete_filing

pytestmark = pytest.mark.django_db


def _ports(filing):
    return [(p.port, p.protocol) for p in services.open_ports(filing=filing)]


# --- Filings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "192.168.0.1", "127.0.0.1", "100.64.0.1", "203.0.113.5", "fe80::1", "224.0.0.1", "not-an-ip"],
)
def test_only_public_addresses_are_filed(sec, address):
    with pytest.raises(ValidationError) as error:
        services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address=address)
    assert "address" in error.value.message_dict
    assert not AddressFiling.objects.exists()


def test_ipv4_and_ipv6_addresses_are_stored_canonically(sec):
    v4 = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address=" 58.222.17.10 ")
    v6 = services.address_filing_create(
        actor=sec.a_applicant, system=sec.system_a, address="2400:3200:0000:0000:0000:0000:0000:0001"
    )
    assert (v4.address, v4.ip_version) == ("58.222.17.10", 4)
    assert (v6.address, v6.ip_version) == ("2400:3200::1", 6)


def test_a_filing_records_ports_and_domain_and_is_a_draft(sec):
    filing = services.address_filing_create(
        actor=sec.a_applicant,
        system=sec.system_a,
        address="58.222.17.10",
        domain="WWW.Example.gov.cn.",
        requested_ports=[{"port": 443}, {"port": 80, "protocol": "tcp"}, {"port": 443, "protocol": "tcp"}],
    )
    assert filing.status == FilingStatus.DRAFT
    assert filing.domain == "www.example.gov.cn"
    assert filing.requested_ports == [{"port": 80, "protocol": "tcp"}, {"port": 443, "protocol": "tcp"}]
    assert filing.organization == sec.city.dept_a
    assert AuditEvent.objects.filter(action="address_filing.create", object_id=str(filing.pk)).exists()


def test_bad_domain_and_ports_are_refused(sec):
    with pytest.raises(ValidationError, match="domain"):
        services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10", domain="a b")
    with pytest.raises(ValidationError):
        services.address_filing_create(
            actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10", requested_ports=[{"port": 70000}]
        )


def test_port_lists_are_parsed_as_people_write_them():
    assert parse_port_list("443/tcp, 80，53/UDP\n443") == [
        {"port": 53, "protocol": "udp"},
        {"port": 80, "protocol": "tcp"},
        {"port": 443, "protocol": "tcp"},
    ]
    with pytest.raises(ValidationError):
        parse_port_list("https")


def test_a_system_that_is_not_internet_facing_has_nothing_to_file(sec):
    with pytest.raises(ValidationError, match="internet-facing"):
        services.address_filing_create(actor=sec.a_applicant, system=sec.intranet_a, address="58.222.17.10")


def test_a_department_files_only_for_its_own_systems(sec):
    with pytest.raises(Http404):
        services.address_filing_create(actor=sec.b_applicant, system=sec.system_a, address="58.222.17.10")
    with pytest.raises(PermissionDenied):
        services.address_filing_create(actor=sec.provider, system=sec.system_a, address="58.222.17.10")


def test_one_live_filing_per_address(sec):
    filing = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10")
    with pytest.raises(ValidationError, match="already filed"):
        services.address_filing_create(actor=sec.b_applicant, system=sec.system_b, address="58.222.17.10")
    services.address_filing_withdraw(actor=sec.a_applicant, filing=filing)
    assert services.address_filing_create(actor=sec.b_applicant, system=sec.system_b, address="58.222.17.10")


def test_the_filing_workflow_with_its_timeline_audit_and_notifications(sec):
    filing = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10")
    services.address_filing_submit(actor=sec.a_applicant, filing=filing)
    assert Notification.objects.filter(recipient=sec.center, kind="security.filing_submitted").exists()
    with pytest.raises(ValidationError, match="Say why"):
        services.address_filing_reject(actor=sec.reviewer, filing=filing, comment="")
    services.address_filing_reject(actor=sec.reviewer, filing=filing, comment="域名未备案")
    assert Notification.objects.filter(recipient=sec.a_applicant, kind="security.filing_reject").exists()
    services.address_filing_update(actor=sec.a_applicant, filing=filing, domain="www.a.gov.cn")
    services.address_filing_submit(actor=sec.a_applicant, filing=filing)
    with pytest.raises(ValidationError, match="reference"):
        services.address_filing_complete(actor=sec.center, filing=filing, reference=" ")
    filing = services.address_filing_complete(actor=sec.center, filing=filing, reference="TZ-IP-9")
    assert (filing.status, filing.reference, filing.decided_by) == (FilingStatus.COMPLETE, "TZ-IP-9", sec.center)
    assert filing.filed_on is not None
    kinds = list(FilingEvent.objects.filter(filing=filing).values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "rejected", "updated", "submitted", "completed"]
    actions = list(
        AuditEvent.objects.filter(object_type="security.addressfiling", object_id=str(filing.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "address_filing.create",
        "address_filing.submit",
        "address_filing.reject",
        "address_filing.update",
        "address_filing.submit",
        "address_filing.complete",
    ]


def test_transitions_follow_the_table(sec):
    filing = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10")
    with pytest.raises(ValidationError, match="cannot complete"):
        services.address_filing_complete(actor=sec.center, filing=filing, reference="x")
    services.address_filing_submit(actor=sec.a_applicant, filing=filing)
    # The department cannot complete its own filing; the provider reads filings but decides nothing.
    for actor in (sec.a_head, sec.provider):
        with pytest.raises(PermissionDenied):
            services.address_filing_complete(actor=actor, filing=filing, reference="x")
    with pytest.raises(ValidationError, match="Only a draft or a rejected"):
        services.address_filing_update(actor=sec.a_applicant, filing=filing, purpose="x")
    # Another department does not even see it.
    with pytest.raises(Http404):
        services.address_filing_withdraw(actor=sec.b_head, filing=filing)


# --- Ports ---------------------------------------------------------------------------------------


def test_every_port_stays_closed_until_a_request_is_approved(sec):
    filing = complete_filing(sec, ports=[{"port": 80}, {"port": 443}])
    # Filing 80 and 443 as needed opens nothing (Annex 1: closed by default).
    assert _ports(filing) == []
    request = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    assert _ports(filing) == []
    assert request.status == PortRequestStatus.SUBMITTED
    assert services.address_clearance(address=filing.address, port=443).cleared is False
    services.port_request_approve(actor=sec.center, request=request)
    assert _ports(filing) == [(443, "tcp")]
    assert services.address_clearance(address=filing.address, port=443).cleared is True
    assert services.address_clearance(address=filing.address, port=80).cleared is False
    # The provider is told to configure the firewall.
    assert Notification.objects.filter(recipient=sec.provider, kind="security.port_open").exists()


def test_a_rejected_request_opens_nothing(sec):
    filing = complete_filing(sec)
    request = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=80, reason="redirect")
    services.port_request_reject(actor=sec.center, request=request, comment="仅开放443")
    assert _ports(filing) == []
    assert not PortChange.objects.exists()
    with pytest.raises(ValidationError, match="cannot approve"):
        services.port_request_approve(actor=sec.center, request=request)


def test_ports_are_requested_only_on_a_complete_filing(sec):
    filing = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10")
    with pytest.raises(ValidationError, match="complete"):
        services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    with pytest.raises(ValidationError, match="why"):
        services.port_request_submit(
            actor=sec.a_applicant, filing=complete_filing(sec, address="58.222.17.11"), port=443, reason=""
        )


def test_only_the_center_approves_ports(sec):
    filing = complete_filing(sec)
    request = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    for actor in (sec.a_head, sec.a_security, sec.provider):
        with pytest.raises(PermissionDenied):
            services.port_request_approve(actor=actor, request=request)
    with pytest.raises(Http404):
        services.port_request_approve(actor=sec.b_head, request=request)
    assert _ports(filing) == []


def test_no_duplicate_requests_and_no_request_for_an_open_port(sec):
    filing = complete_filing(sec)
    request = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    with pytest.raises(ValidationError, match="already waiting"):
        services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="again")
    services.port_request_approve(actor=sec.center, request=request)
    with pytest.raises(ValidationError, match="already open"):
        services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="again")
    # The same number over UDP is another port.
    assert services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, protocol="udp", reason="QUIC")


def test_closing_and_the_complete_history(sec):
    filing = complete_filing(sec)
    first = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    services.port_request_approve(actor=sec.center, request=first)
    services.port_close(actor=sec.a_head, filing=filing, port=443, protocol="tcp", reason="系统维护")
    assert _ports(filing) == []
    with pytest.raises(ValidationError, match="not open"):
        services.port_close(actor=sec.center, filing=filing, port=443, protocol="tcp", reason="x")
    again = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="恢复服务")
    services.port_request_approve(actor=sec.reviewer, request=again)
    services.port_close(actor=sec.center, filing=filing, port=443, protocol="tcp", reason="安全事件")
    history = list(PortChange.objects.filter(filing=filing).order_by("occurred_at", "id"))
    assert [(c.change, c.request_id, c.actor, c.reason) for c in history] == [
        (PortChangeKind.OPENED, first.pk, sec.center, "HTTPS"),
        (PortChangeKind.CLOSED, first.pk, sec.a_head, "系统维护"),
        (PortChangeKind.OPENED, again.pk, sec.reviewer, "恢复服务"),
        (PortChangeKind.CLOSED, again.pk, sec.center, "安全事件"),
    ]
    assert all(c.actor_name and c.occurred_at for c in history)
    assert AuditEvent.objects.filter(action="port.close").count() == 2
    assert Notification.objects.filter(recipient=sec.provider, kind="security.port_closed").count() == 2
    # The provider reads the list but closes nothing.
    with pytest.raises(PermissionDenied):
        services.port_close(actor=sec.provider, filing=filing, port=443, protocol="tcp", reason="x")


def test_withdrawing_a_filing_closes_its_ports_and_pending_requests(sec):
    filing = complete_filing(sec)
    opened = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    services.port_request_approve(actor=sec.center, request=opened)
    waiting = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=8443, reason="admin")
    services.address_filing_withdraw(actor=sec.a_head, filing=filing, comment="系统下线")
    assert not OpenPort.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == PortRequestStatus.WITHDRAWN
    assert PortChange.objects.filter(change=PortChangeKind.CLOSED).count() == 1
    assert Notification.objects.filter(recipient=sec.provider, kind="security.ports_closed").exists()


# --- Clearance -------------------------------------------------------------------------------------


def test_go_live_clearance_of_an_internet_facing_system(sec):
    refused = services.address_go_live_clearance(system=sec.system_a)
    assert not refused.cleared
    assert "no address filing" in refused.reasons[0]
    filing = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.10")
    services.address_filing_submit(actor=sec.a_applicant, filing=filing)
    pending = services.address_go_live_clearance(system=sec.system_a)
    assert not pending.cleared
    assert pending.reasons == ["The address filing of 58.222.17.10 is not complete (it is “Submitted”)."]
    services.address_filing_complete(actor=sec.center, filing=filing, reference="TZ-1")
    assert services.address_go_live_clearance(system=sec.system_a).cleared
    # A second address not yet filed blocks again; a withdrawn one does not count.
    second = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.11")
    assert not services.address_go_live_clearance(system=sec.system_a).cleared
    services.address_filing_withdraw(actor=sec.a_applicant, filing=second)
    assert services.address_go_live_clearance(system=sec.system_a) == services.Clearance(cleared=True, reasons=[])


def test_a_system_not_on_the_internet_is_cleared_without_reasons(sec):
    assert services.address_go_live_clearance(system=sec.intranet_a) == services.Clearance(cleared=True, reasons=[])


def test_address_clearance_for_resources(sec):
    assert not services.address_clearance(address="58.222.17.10").cleared
    assert not services.address_clearance(address="nonsense").cleared
    complete_filing(sec)
    assert services.address_clearance(address="58.222.17.10").cleared
