"""Attachments: PDF/PNG/JPEG by content, within the size policy, kept outside the web root;
bad uploads change nothing; every download is audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy
from govcloud.policies.services import policy_set
from govcloud.security import services
from govcloud.security.models import Attachment, EmergencyPlan, PlanScope, SecurityBulletin
from govcloud.security.tests.helpers import JPEG, PDF, PNG, upload

pytestmark = pytest.mark.django_db


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "security"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def create_bulletin(sec, attachment):
    return services.security_bulletin_create(
        actor=sec.provider, period=date(2025, 9, 1), title="九月", content="x", attachment=attachment
    )


@pytest.mark.parametrize(
    "name, content",
    [
        ("report.pdf", b"MZ\x90\x00 this is an executable"),
        ("notice.pdf", b"just some text pretending to be a PDF"),
        ("image.png", b"GIF89a not accepted"),
        ("empty.pdf", b""),
    ],
)
def test_wrong_types_are_refused_and_change_nothing(sec, name, content):
    before = stored_files()
    with pytest.raises(ValidationError) as error:
        create_bulletin(sec, upload(name, content))
    assert "attachment" in error.value.message_dict
    assert not SecurityBulletin.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == before
    assert not AuditEvent.objects.filter(action="security_bulletin.create").exists()


def test_oversize_files_are_refused_and_change_nothing(sec):
    policy_set(actor=SYSTEM, key=Policy.ATTACHMENT_MAX_MB, raw="1")
    before = stored_files()
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        create_bulletin(sec, upload("big.pdf", PDF + b"0" * (1024 * 1024)))
    assert not SecurityBulletin.objects.exists() and stored_files() == before
    assert (
        create_bulletin(sec, upload("fits.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))).attachment.size == 1024 * 1024
    )


@pytest.mark.parametrize(
    "name, content, kind",
    [("通报-a.pdf", PDF, "application/pdf"), ("通报-b.png", PNG, "image/png"), ("通报-c.jpg", JPEG, "image/jpeg")],
)
def test_accepted_types_are_kept_outside_the_web_root_under_a_random_name(sec, name, content, kind):
    attachment = create_bulletin(sec, upload(name, content, "application/octet-stream")).attachment
    assert attachment.content_type == kind and attachment.original_name == name
    path = Path(settings.PRIVATE_MEDIA_ROOT) / attachment.stored_path
    assert path.read_bytes() == content
    # A random hex name: the uploader's name (here with Chinese in it) never reaches the disk.
    assert "通报" not in attachment.stored_path
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in path.resolve().parents


def test_a_failure_after_storing_removes_the_file(sec):
    services.emergency_plan_create(
        actor=sec.a_head, scope=PlanScope.SYSTEM, system=sec.system_a, title="x", content="x"
    )
    before = stored_files()
    with pytest.raises(ValidationError, match="already has a plan"):
        services.emergency_plan_create(
            actor=sec.a_head,
            scope=PlanScope.SYSTEM,
            system=sec.system_a,
            title="y",
            content="y",
            attachment=upload(),
        )
    assert stored_files() == before and not Attachment.objects.exists()
    assert EmergencyPlan.objects.count() == 1


def test_downloads_are_audited_and_scoped(client, sec):
    plan = services.emergency_plan_create(
        actor=sec.a_head, scope=PlanScope.SYSTEM, system=sec.system_a, title="x", content="x", attachment=upload()
    )
    url = reverse("security:plan_version_attachment", kwargs={"pk": plan.pk, "number": 1})
    login(client, sec.a_applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="attachment.download")
    assert event.actor_id == sec.a_applicant.pk and event.object_id == str(plan.pk)
    assert event.subject_organization_path == sec.city.dept_a.path
    login(client, sec.b_head)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1


def test_page_uploads_check_the_file_too(client, sec):
    login(client, sec.provider)
    response = client.post(
        reverse("security:bulletin_create"),
        {"period": "2025-09", "title": "九月", "content": "x", "attachment": upload("x.pdf", b"not a pdf")},
    )
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert not SecurityBulletin.objects.exists()
    response = client.post(
        reverse("security:bulletin_create"),
        {"period": "2025-09", "title": "九月", "content": "x", "attachment": upload(), "publish": "on"},
    )
    bulletin = SecurityBulletin.objects.get()
    assert response.status_code == 302 and bulletin.is_published and bulletin.attachment is not None
