"""Builders shared by the security tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govcloud.security import services

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(name: str = "a.pdf", content: bytes = PDF, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def complete_filing(sec, *, system=None, address: str = "58.222.17.10", ports=()):
    """A filing of department A's internet-facing system, submitted and completed."""
    system = system or sec.system_a
    filer = sec.a_applicant if system.organization_id == sec.a_applicant.organization_id else sec.b_applicant
    filing = services.address_filing_create(actor=filer, system=system, address=address, requested_ports=ports)
    services.address_filing_submit(actor=filer, filing=filing)
    return services.address_filing_complete(actor=sec.center, filing=filing, reference="TZ-IP-1")


def grant(sec, *, hours: int = 24, starts_at: datetime | None = None, grantee=None, system=None, resources=()):
    return services.access_grant_create(
        actor=sec.a_security,
        grantee=grantee or sec.provider,
        system=sec.system_a if system is None and not resources else system,
        resources=resources,
        purpose="补丁升级",
        starts_at=starts_at,
        ends_at=(starts_at or timezone.now()) + timedelta(hours=hours),
    )


def ledger_resource(org, name: str, *, system=None):
    """A cloud host of `org` in the ledger (in service), to name in grants and sessions."""
    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.catalog.tests.helpers import HOST_SPEC
    from govcloud.core.actors import SYSTEM
    from govcloud.ledger import services as ledger_services

    seed_annex1()
    return ledger_services.resource_adopt(
        actor=SYSTEM,
        organization=org,
        catalog_item=CatalogItem.objects.get(code="host"),
        spec=dict(HOST_SPEC),
        name=name,
        system=system,
    )
