"""The service desk part of the isolation harness (see tests/isolation.py).

Department A reports a major incident about its system and a resource of its ledger, with a
message, a follow-up item and a filed incident report, each carrying the marker; a second incident
of A's is recovered, waiting for A to confirm. Severities and the roster are platform-wide (SHARED);
the board and the roster are the service desk's (department users get 403).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.incidents import services
from govcloud.incidents.models import IncidentSeverity
from govcloud.incidents.severities import severities_seed
from govcloud.systems.models import InformationSystem
from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.ledger.tests.helpers import adopt

    city = world.city
    severities_seed()  # a transactional test before may have flushed them
    world.inc_provider = city.user(Role.PROVIDER_OPERATOR, full_name="值班工程师")
    team = services.duty_team_create(actor=SYSTEM, name="一线")
    now = timezone.now()
    world.inc_shift = services.duty_shift_add(
        actor=SYSTEM,
        team=team,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
        primary=world.inc_provider,
    )
    system = InformationSystem.objects.create(organization=world.a_org, name=f"故障系统{MARKER}", protection_level=2)
    resource = adopt(world.a_org, name=f"故障主机{MARKER}")
    world.inc_severity = IncidentSeverity.objects.get(code="major")
    world.inc_incident = services.incident_report(
        actor=world.a_user,
        title=f"门户中断{MARKER}",
        symptom=f"502{MARKER}",
        severity=world.inc_severity,
        system=system,
        resources=[resource],
        contact_phone="13800000000",
        attachments=[SimpleUploadedFile("screen.pdf", b"%PDF-1.4\n" + MARKER.encode() + b"\n%%EOF\n")],
    )
    world.inc_attachment = world.inc_incident.attachments.get()
    services.incident_message(actor=world.a_user, incident=world.inc_incident, body=f"补充{MARKER}")
    services.incident_claim(actor=world.inc_provider, incident=world.inc_incident, message=f"已收到{MARKER}")
    world.inc_follow_up = services.follow_up_add(
        actor=world.inc_provider,
        incident=world.inc_incident,
        description=f"整改{MARKER}",
        owner="运维部",
        due_on=timezone.localdate(),
    )
    services.major_report_submit(
        actor=world.inc_provider,
        incident=world.inc_incident,
        timeline=f"经过{MARKER}",
        impact=f"影响{MARKER}",
        cause="原因",
        measures="措施",
        lessons="教训",
    )
    world.inc_recovered = services.incident_report(
        actor=world.a_user, title=f"慢{MARKER}", symptom=f"slow{MARKER}", severity="general"
    )
    services.incident_claim(actor=world.inc_provider, incident=world.inc_recovered, message="ok")
    services.incident_recover(actor=world.inc_provider, incident=world.inc_recovered, resolution=f"fixed{MARKER}")


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


def detail(name: str, methods=("get",), owner: str = "", data=None) -> Probe:
    return Probe(
        Kind.DETAIL,
        _pk(name),
        _missing,
        methods=methods,
        data=data or {},
        owner_sees_marker=bool(owner),
        owner=owner or "a_user",
    )


def act(action: str, data: dict) -> Probe:
    return Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.inc_recovered.pk, "action": action},
        lambda w: {**MISSING_INT, "action": action},
        methods=("post",),
        data=data,
    )


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "incidents:incident_list": Probe(Kind.LIST),
    "incidents:incident_create": Probe(Kind.SHARED, methods=("get", "post")),
    "incidents:call_create": Probe(Kind.SHARED, methods=("get", "post")),
    "incidents:board": Probe(Kind.LIST),
    "incidents:board_rows": Probe(Kind.LIST),
    "incidents:figures": Probe(Kind.LIST),
    "incidents:severity_list": Probe(Kind.SHARED),
    "incidents:severity_edit": Probe(Kind.SHARED, _pk("inc_severity"), methods=("get", "post")),
    "incidents:roster": Probe(Kind.SHARED, methods=("get", "post")),
    "incidents:team_create": Probe(Kind.SHARED, methods=("post",), data={"name": "x"}),
    "incidents:shift_delete": Probe(Kind.SHARED, _pk("inc_shift"), methods=("post",)),
    "incidents:follow_up_done": detail("inc_follow_up", methods=("post",)),
    "incidents:incident_detail": detail("inc_incident", owner="a_user"),
    "incidents:major_report": detail("inc_incident", methods=("get", "post")),
    "incidents:major_report_pdf": detail("inc_incident"),
    "incidents:incident_act": act("confirm", {"comment": "x"}),
    "incidents:attachment": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.inc_incident.pk, "attachment_id": w.inc_attachment.pk},
        lambda w: {**MISSING_INT, "attachment_id": w.inc_attachment.pk},
        owner_sees_marker=True,
    ),
    # --- REST API ------------------------------------------------------------------------------------
    "incident-list": Probe(Kind.LIST, methods=("get", "post")),
    "incident-detail": detail("inc_incident", owner="a_user"),
    "incident-calls": Probe(Kind.SHARED, methods=("post",)),
    "incident-timeline": detail("inc_incident", owner="a_user"),
    "incident-attachment": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.inc_incident.pk, "attachment_id": w.inc_attachment.pk},
        lambda w: {**MISSING_INT, "attachment_id": w.inc_attachment.pk},
        owner_sees_marker=True,
    ),
    "incident-claim": detail("inc_incident", methods=("post",), data={"message": "x"}),
    "incident-message": detail("inc_incident", methods=("post",), data={"body": "x"}),
    "incident-start": detail("inc_incident", methods=("post",)),
    "incident-recover": detail("inc_incident", methods=("post",), data={"resolution": "x"}),
    "incident-confirm": detail("inc_recovered", methods=("post",)),
    "incident-reopen": detail("inc_recovered", methods=("post",), data={"reason": "x"}),
    "incident-rate": detail("inc_recovered", methods=("post",), data={"rating": 1}),
    "incident-merge": detail("inc_recovered", methods=("post",), data={"into": 1}),
    "incident-severity-list": Probe(Kind.SHARED),
    "incident-severity-detail": Probe(Kind.SHARED, _pk("inc_severity")),
    "duty-shift-list": Probe(Kind.SHARED),
}
