"""Builders for the systems tests: systems through the services, and small files of each type."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import InformationSystem
from tests.factories import api_token_for

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def upload(content: bytes = PDF_BYTES, name: str = "file.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def people(suffix: str = "") -> dict:
    return {
        "system_manager": {"name": f"张明{suffix}", "phone": "0523-86831001"},
        "security_confidentiality": {"name": f"李静{suffix}", "phone": "0523-86831002"},
        "security_auditor": {"name": f"王强{suffix}", "phone": "13905231003"},
    }


def register(org, name: str = "政务服务系统", *, actor=SYSTEM, **fields) -> InformationSystem:
    values = {
        "purpose": "办事服务",
        "hosting_status": "own_room",
        "users_served": "市民",
        "protection_level": 3,
        "responsible_people": people(),
    }
    values.update(fields)
    return services.system_create(actor=actor, organization=org, name=name, **values)


def make_compliant(
    system: InformationSystem,
    *,
    filed_on: date,
    assessed_on: date | None = None,
    actor=SYSTEM,
    number: str = "32120099001-00001",
):
    """A filing at the system's level and, for level 2+, a passing assessment."""
    filing = services.filing_record(
        actor=actor,
        system=system,
        filing_number=number,
        filed_on=filed_on,
        filing_authority="泰州市公安局网络安全保卫支队",
    )
    assessment = None
    if assessed_on is not None:
        assessment = services.assessment_record(
            actor=actor,
            system=system,
            assessing_body="江苏省信息安全测评中心",
            assessed_on=assessed_on,
            score="85.00",
            conclusion="pass",
        )
    return filing, assessment


def api_for(user) -> APIClient:
    """A client authenticated the way programs are: a personal access token."""
    raw = api_token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def experts(city, n: int = 3) -> list:
    return [city.user(Role.EXPERT, full_name=f"专家{i}") for i in range(n)]


def exemption_in_review(city, system, expert_users, *, department=SYSTEM, center=SYSTEM):
    """A submitted request with experts assigned (state expert_review)."""
    exemption = services.exemption_create(actor=department, system=system, reasons="专用硬件无法迁移到政务云平台。")
    services.exemption_submit(actor=department, exemption=exemption)
    return services.exemption_assign_experts(actor=center, exemption=exemption, experts=expert_users)
