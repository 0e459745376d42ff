"""The MLPS record (Art. 11): filings, assessments, rectification items and their attachments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, PolicyValue, clear_cache
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import AttachmentKind, MlpsAssessment, MlpsFiling, Rectification, SystemAttachment
from govcloud.systems.tests.helpers import JPEG_BYTES, PDF_BYTES, PNG_BYTES, register, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_private_folder(settings, tmp_path):
    # Parallel test processes share the data folder; "no file was written" needs a folder of its own.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def system(city):
    return register(city.dept_a, protection_level=3)


def _files() -> set[Path]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "systems"
    return set(folder.glob("*")) if folder.exists() else set()


def test_filing_records_the_level_and_keeps_the_certificate_outside_the_web_root(city, system):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    filing = services.filing_record(
        actor=applicant,
        system=system,
        filing_number="32120099001-00001",
        filed_on=date(2025, 3, 1),
        filing_authority="泰州市公安局网络安全保卫支队",
        protection_level=4,
        certificate=upload(PDF_BYTES, "备案证明.pdf"),
    )
    system.refresh_from_db()
    assert system.protection_level == 4 and filing.protection_level == 4
    attachment = filing.attachments.get()
    path = Path(settings.PRIVATE_MEDIA_ROOT) / attachment.stored_path
    assert path.read_bytes() == PDF_BYTES
    assert attachment.original_name == "备案证明.pdf" and attachment.content_type == "application/pdf"
    assert attachment.stored_path.startswith("systems/") and "备案" not in attachment.stored_path
    assert str(settings.STATIC_ROOT) not in str(path)
    event = AuditEvent.objects.get(action="mlps_filing.record")
    assert '"system.protection_level":[3,4]' in event.changes and "备案证明.pdf" in event.changes
    with pytest.raises(ValidationError) as exc:
        services.filing_record(
            actor=applicant, system=system, filing_number="32120099001-00001", filed_on=date(2025, 3, 2),
            filing_authority="x",
        )  # fmt: skip
    assert "filing_number" in exc.value.message_dict


def test_dates_in_the_future_are_refused(system, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    with pytest.raises(ValidationError) as exc:
        services.filing_record(
            actor=SYSTEM, system=system, filing_number="1", filed_on=date(2026, 6, 2), filing_authority="x"
        )
    assert "filed_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(
            actor=SYSTEM, system=system, assessing_body="x", assessed_on=date(2026, 6, 2), score=80, conclusion="pass"
        )
    assert "assessed_on" in exc.value.message_dict


def test_assessment_next_due_date_per_level(city, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    for level, expected in ((5, date(2027, 1, 31)), (3, date(2027, 1, 31)), (2, date(2028, 1, 31)), (1, None)):
        system = register(city.dept_a, f"L{level}", protection_level=level)
        assessment = services.assessment_record(
            actor=SYSTEM, system=system, assessing_body="江苏省信息安全测评中心", assessed_on=date(2026, 1, 31),
            score="90", conclusion="pass",
        )  # fmt: skip
        assert assessment.next_due_on == expected, level
    PolicyValue.objects.create(key=Policy.ASSESSMENT_MONTHS_LEVEL2, value="13")
    clear_cache()
    later = services.assessment_record(
        actor=SYSTEM, system=system.__class__.objects.get(name="L2"), assessing_body="x", assessed_on=date(2026, 1, 31),
        score="90", conclusion="pass",
    )  # fmt: skip
    assert later.next_due_on == date(2027, 2, 28)


def test_assessment_needs_a_graded_system_and_a_valid_score(city):
    ungraded = register(city.dept_a, "未定级", protection_level=None)
    with pytest.raises(ValidationError, match="Grade the system"):
        services.assessment_record(
            actor=SYSTEM, system=ungraded, assessing_body="x", assessed_on=date(2026, 1, 1), score=80, conclusion="pass"
        )
    graded = register(city.dept_a, "三级")
    for score in (-1, 100.01, "abc"):
        with pytest.raises(ValidationError) as exc:
            services.assessment_record(
                actor=SYSTEM, system=graded, assessing_body="x", assessed_on=date(2026, 1, 1), score=score,
                conclusion="pass",
            )  # fmt: skip
        assert "score" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=SYSTEM, system=graded, assessing_body="x", assessed_on=date(2026, 1, 1), score=80, conclusion="maybe"
        )
    assert not MlpsAssessment.objects.exists()


def test_rectification_lifecycle_and_audit(city, system):
    head = city.user(Role.DEPARTMENT_HEAD)
    assessment = services.assessment_record(
        actor=head, system=system, assessing_body="江苏省信息安全测评中心", assessed_on=date(2026, 1, 5), score=70,
        conclusion="fail",
    )  # fmt: skip
    item = services.rectification_create(
        actor=head,
        system=system,
        assessment=assessment,
        description="堡垒机未接入",
        owner="王强",
        due_on=date(2026, 3, 1),
    )
    services.rectification_update(actor=head, rectification=item, due_on=date(2026, 4, 1))
    services.rectification_close(actor=head, rectification=item, closing_note="已接入", closed_on=date(2026, 3, 20))
    item.refresh_from_db()
    assert (item.status, item.closed_on) == ("done", date(2026, 3, 20))
    with pytest.raises(ValidationError):
        services.rectification_close(actor=head, rectification=item, closing_note="again")
    with pytest.raises(ValidationError):
        services.rectification_update(actor=head, rectification=item, owner="别人")
    with pytest.raises(ValidationError):
        services.rectification_create(actor=head, system=system, description="", owner="x", due_on=date(2026, 1, 1))
    other = register(city.dept_a, "另一个")
    with pytest.raises(ValidationError) as exc:
        services.rectification_create(
            actor=head, system=other, assessment=assessment, description="x", owner="y", due_on=date(2026, 1, 1)
        )
    assert "assessment" in exc.value.message_dict
    actions = list(
        AuditEvent.objects.filter(action__startswith="rectification.").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["rectification.create", "rectification.update", "rectification.close"]
    update = AuditEvent.objects.get(action="rectification.update")
    assert '"due_on":["2026-03-01","2026-04-01"]' in update.changes


def test_others_cannot_write_the_mlps_record(city, system):
    for user, error in (
        (city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b), Http404),
        (city.user(Role.PROVIDER_OPERATOR), PermissionDenied),
        (city.user(Role.LEADING_GROUP), PermissionDenied),
        (city.user(Role.CENTER_REVIEWER), PermissionDenied),
    ):
        with pytest.raises(error):
            services.filing_record(
                actor=user, system=system, filing_number="x", filed_on=date(2026, 1, 1), filing_authority="x"
            )
        with pytest.raises(error):
            services.rectification_create(
                actor=user, system=system, description="x", owner="y", due_on=date(2026, 1, 1)
            )
    services.filing_record(
        actor=city.user(Role.CENTER_ADMIN), system=system, filing_number="x", filed_on=date(2026, 1, 1),
        filing_authority="x",
    )  # fmt: skip
    assert MlpsFiling.objects.count() == 1 and not Rectification.objects.exists()


@pytest.mark.parametrize("content, name", [(PDF_BYTES, "a.pdf"), (PNG_BYTES, "a.png"), (JPEG_BYTES, "a.jpg")])
def test_pdf_png_and_jpeg_are_accepted_by_content(system, content, name):
    filing = services.filing_record(
        actor=SYSTEM, system=system, filing_number="1", filed_on=date(2026, 1, 1), filing_authority="x"
    )
    attachment = services.attachment_add(
        actor=SYSTEM, system=system, kind=AttachmentKind.FILING_CERTIFICATE, upload=upload(content, name), filing=filing
    )
    assert attachment.size == len(content)
    assert attachment.stored_path.endswith({"a.pdf": ".pdf", "a.png": ".png", "a.jpg": ".jpg"}[name])


@pytest.mark.parametrize(
    "content, name",
    [
        (b"<html><script>alert(1)</script></html>", "report.pdf"),  # a web page renamed
        (b"MZ\x90\x00\x03\x00\x00\x00", "scan.png"),  # an executable renamed
        (b"PK\x03\x04 zip", "report.docx"),
        (b"", "empty.pdf"),
    ],
)
def test_wrong_types_are_refused_and_change_nothing(system, content, name):
    filing = services.filing_record(
        actor=SYSTEM, system=system, filing_number="1", filed_on=date(2026, 1, 1), filing_authority="x"
    )
    files, events = _files(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=SYSTEM, system=system, kind=AttachmentKind.FILING_CERTIFICATE, upload=upload(content, name),
            filing=filing,
        )  # fmt: skip
    assert "file" in exc.value.message_dict
    assert not SystemAttachment.objects.exists() and _files() == files and AuditEvent.objects.count() == events
    with pytest.raises(ValidationError):
        services.filing_record(
            actor=SYSTEM, system=system, filing_number="2", filed_on=date(2026, 1, 1), filing_authority="x",
            certificate=upload(content, name),
        )  # fmt: skip
    assert MlpsFiling.objects.count() == 1 and _files() == files


def test_oversize_files_are_refused_and_change_nothing(system):
    PolicyValue.objects.create(key=Policy.ATTACHMENT_MAX_MB, value="1")
    clear_cache()
    files, events = _files(), AuditEvent.objects.count()
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        services.assessment_record(
            actor=SYSTEM, system=system, assessing_body="x", assessed_on=date(2026, 1, 1), score=80, conclusion="pass",
            report=upload(big, "report.pdf"),
        )  # fmt: skip
    assert not MlpsAssessment.objects.exists() and _files() == files and AuditEvent.objects.count() == events
    exactly = PDF_BYTES + b"0" * (1024 * 1024 - len(PDF_BYTES))
    assessment = services.assessment_record(
        actor=SYSTEM, system=system, assessing_body="x", assessed_on=date(2026, 1, 1), score=80, conclusion="pass",
        report=upload(exactly, "report.pdf"),
    )  # fmt: skip
    assert assessment.attachments.get().size == 1024 * 1024


def test_an_attachment_belongs_to_a_record_of_its_own_system(city, system):
    other = register(city.dept_a, "另一个")
    filing = services.filing_record(
        actor=SYSTEM, system=other, filing_number="1", filed_on=date(2026, 1, 1), filing_authority="x"
    )
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=SYSTEM, system=system, kind=AttachmentKind.FILING_CERTIFICATE, upload=upload(), filing=filing
        )
    with pytest.raises(ValidationError):
        services.attachment_add(actor=SYSTEM, system=system, kind=AttachmentKind.ASSESSMENT_REPORT, upload=upload())


def test_each_download_is_an_audit_event_and_needs_the_scope(city, system):
    filing = services.filing_record(
        actor=SYSTEM, system=system, filing_number="1", filed_on=date(2026, 1, 1), filing_authority="x",
        certificate=upload(),
    )  # fmt: skip
    attachment = filing.attachments.get()
    provider = city.user(Role.PROVIDER_OPERATOR)
    assert services.attachment_open(actor=provider, attachment=attachment).read_bytes() == PDF_BYTES
    services.attachment_open(actor=provider, attachment=attachment)
    assert AuditEvent.objects.filter(action="system_attachment.download", actor_id=provider.pk).count() == 2
    with pytest.raises(Http404):
        services.attachment_open(actor=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b), attachment=attachment)
