"""The systems part of the isolation harness (see tests/isolation.py)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation import MARKER, MISSING_INT, Kind, Probe

# A PDF whose bytes carry the marker, so a download by the owner is a positive control.
PDF = b"%PDF-1.4\n% " + MARKER.encode() + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def people(tag: str = "") -> dict:
    return {
        "system_manager": {"name": f"张{tag}", "phone": "0523-86830001"},
        "security_confidentiality": {"name": f"李{tag}", "phone": "0523-86830002"},
        "security_auditor": {"name": f"王{tag}", "phone": "13805230003"},
    }


def populate(world) -> None:
    from govcloud.systems import services
    from govcloud.systems.models import AttachmentKind

    actor = world.a_user
    world.a_system = services.system_create(
        actor=actor,
        organization=world.a_org,
        name=f"系统{MARKER}",
        purpose=f"用途{MARKER}",
        hosting_status="own_room",
        planned_migration_date=date(2025, 6, 30),
        users_served=f"市民{MARKER}",
        protection_level=3,
        responsible_people=people(MARKER),
    )
    world.a_classified = services.system_create(
        actor=actor, organization=world.a_org, name=f"涉密{MARKER}", classified=True
    )
    world.a_filing = services.filing_record(
        actor=actor,
        system=world.a_system,
        filing_number=f"F{MARKER}",
        filed_on=date(2025, 3, 1),
        filing_authority=f"公安{MARKER}",
        certificate=pdf(f"备案{MARKER}.pdf"),
    )
    world.a_attachment = world.a_filing.attachments.get()
    world.a_assessment = services.assessment_record(
        actor=actor,
        system=world.a_system,
        assessing_body=f"测评{MARKER}",
        assessed_on=date(2025, 4, 1),
        score="88.5",
        conclusion="pass",
    )
    world.a_rectification = services.rectification_create(
        actor=actor,
        system=world.a_system,
        description=f"整改{MARKER}",
        owner=f"负责人{MARKER}",
        due_on=date(2025, 5, 1),
        assessment=world.a_assessment,
    )
    world.a_exemption = services.exemption_create(
        actor=actor, system=world.a_system, reasons=f"无法迁移的理由{MARKER}，专用硬件。"
    )
    world.a_evidence = services.attachment_add(
        actor=actor,
        system=world.a_system,
        kind=AttachmentKind.EXEMPTION_EVIDENCE,
        upload=pdf(f"证明{MARKER}.pdf"),
        exemption=world.a_exemption,
    )
    services.exemption_submit(actor=actor, exemption=world.a_exemption)


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


_RW = ("get", "post")

ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "systems:system_list": Probe(Kind.LIST),
    "systems:system_create": Probe(Kind.SHARED, methods=_RW),
    "systems:export": Probe(Kind.LIST, methods=("post",), data={"format": "csv"}),
    "systems:system_detail": Probe(Kind.DETAIL, _pk("a_system"), _missing, owner_sees_marker=True),
    "systems:system_edit": Probe(Kind.DETAIL, _pk("a_system"), _missing, methods=_RW),
    "systems:filing_create": Probe(Kind.DETAIL, _pk("a_system"), _missing, methods=_RW),
    "systems:assessment_create": Probe(Kind.DETAIL, _pk("a_system"), _missing, methods=_RW),
    "systems:rectification_create": Probe(Kind.DETAIL, _pk("a_system"), _missing, methods=_RW),
    "systems:attachment_upload": Probe(Kind.DETAIL, _pk("a_system"), _missing, methods=_RW),
    "systems:exemption_create": Probe(Kind.DETAIL, _pk("a_system"), _missing, methods=_RW),
    "systems:rectification_edit": Probe(
        Kind.DETAIL, _pk("a_rectification"), _missing, methods=_RW, owner_sees_marker=True
    ),
    "systems:attachment_download": Probe(Kind.DETAIL, _pk("a_attachment"), _missing, owner_sees_marker=True),
    "systems:migration_dashboard": Probe(Kind.LIST),
    "systems:exemption_list": Probe(Kind.LIST),
    "systems:exemption_detail": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, owner_sees_marker=True),
    "systems:exemption_edit": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=_RW),
    "systems:exemption_evidence": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "systems:exemption_assign": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "systems:exemption_vote": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "systems:exemption_decide": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "systems:exemption_act": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.a_exemption.pk, "action": "withdraw"},
        lambda w: {**MISSING_INT, "action": "withdraw"},
        methods=("post",),
    ),
    # --- REST API ------------------------------------------------------------------------------------
    "information-system-list": Probe(Kind.LIST),
    "information-system-detail": Probe(
        Kind.DETAIL, _pk("a_system"), _missing, methods=("get", "patch"), owner_sees_marker=True
    ),
    "information-system-clearance": Probe(Kind.DETAIL, _pk("a_system"), _missing),
    "information-system-migration-stats": Probe(Kind.LIST),
    "information-system-export": Probe(Kind.LIST, methods=("post",), data={"format": "csv"}),
    "mlps-filing-list": Probe(Kind.LIST),
    "mlps-filing-detail": Probe(Kind.DETAIL, _pk("a_filing"), _missing, owner_sees_marker=True),
    "mlps-assessment-list": Probe(Kind.LIST),
    "mlps-assessment-detail": Probe(Kind.DETAIL, _pk("a_assessment"), _missing, owner_sees_marker=True),
    "mlps-rectification-list": Probe(Kind.LIST),
    "mlps-rectification-detail": Probe(
        Kind.DETAIL, _pk("a_rectification"), _missing, methods=("get", "patch"), owner_sees_marker=True
    ),
    "mlps-rectification-close": Probe(
        Kind.DETAIL, _pk("a_rectification"), _missing, methods=("post",), data={"closing_note": "x"}
    ),
    "system-attachment-list": Probe(Kind.LIST),
    "system-attachment-detail": Probe(Kind.DETAIL, _pk("a_attachment"), _missing, owner_sees_marker=True),
    "system-attachment-download": Probe(Kind.DETAIL, _pk("a_attachment"), _missing, owner_sees_marker=True),
    "exemption-list": Probe(Kind.LIST),
    "exemption-detail": Probe(
        Kind.DETAIL, _pk("a_exemption"), _missing, methods=("get", "patch"), owner_sees_marker=True
    ),
    "exemption-submit": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "exemption-withdraw": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "exemption-return": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",), data={"comment": "x"}),
    "exemption-assign-experts": Probe(
        Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",), data={"experts": [1, 2, 3]}
    ),
    "exemption-vote": Probe(
        Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",), data={"vote": "approve", "opinion": "x"}
    ),
    "exemption-forward": Probe(Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",)),
    "exemption-decide": Probe(
        Kind.DETAIL, _pk("a_exemption"), _missing, methods=("post",), data={"decision": "approve"}
    ),
}
