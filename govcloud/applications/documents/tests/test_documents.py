"""The business application form (Art. 9) as DOCX and PDF: what it says, who may download it, and
that every download is audited."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login
from govcloud.applications.documents import content, render
from govcloud.applications.documents.tests.helpers import make_application
from govcloud.applications.models import ApplicationItem
from govcloud.audit.models import AuditEvent
from govcloud.catalog.models import CatalogItem, SpecOption
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

DEPARTMENT = "泰州市卫生健康委员会"


def pdf_text(data: bytes) -> str:
    """The text a reader sees, as poppler's pdftotext extracts it."""
    assert data.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.pdf"
        path.write_bytes(data)
        result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    parts.extend(p.text for p in document.sections[0].footer.paragraphs)
    return "\n".join(parts)


def pages(data: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.pdf"
        path.write_bytes(data)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def applicant(city):
    from govcloud.organizations.models import Organization

    Organization.objects.filter(pk=city.dept_a.pk).update(name=DEPARTMENT)
    city.dept_a.refresh_from_db()
    return city.user(Role.DEPARTMENT_APPLICANT, full_name="赵申请")


@pytest.fixture
def application(city, applicant):
    return make_application(organization=city.dept_a, created_by=applicant, decided=True)


def _form(application):
    return content.form_queryset().get(pk=application.pk)


# --- What the files say ------------------------------------------------------------------------------


def test_the_pdf_reads_as_the_filled_form(application):
    text = pdf_text(render.application_pdf(_form(application), reveal_phone=True))
    for expected in [
        "泰州市政务云平台业务申请表",
        DEPARTMENT,
        application.number,
        application.system.name,
        "云主机",
        "CPU：4核",
        "超高IO (SSD)",
        "CentOS 7.0 64位",
        "云数据库",
        "MySQL 5.6",
        "带宽：20Mbps",
        "2台",  # asked
        "1台",  # approved
        "核定规格：CPU：2核",
        "1,234.50",
        "13805230003",
        "赵申请",  # the head's sign-off on the platform
        "盖章",
        "受理意见",
        "李审核",
        "材料齐全，予以受理",
        "审批意见",
        "王主任",
        "校验码",
        render.verification_code(application),
    ]:
        assert expected in text, expected
    assert "☑ 新增资源" in text and "☐ 资源变更" in text
    assert "☑ 同意" in text


def test_the_docx_reads_as_the_filled_form(application):
    data = render.application_docx(_form(application), reveal_phone=True)
    text = docx_text(data)
    for expected in [
        "泰州市政务云平台业务申请表",
        DEPARTMENT,
        application.number,
        "云主机",
        "CPU：4核",
        "云数据库 MySQL 5.6",
        "13805230003",
        "盖章",
        "李审核",
        "王主任",
        render.verification_code(application),
    ]:
        assert expected in text, expected
    assert docx.Document(io.BytesIO(data)).core_properties.title == "泰州市政务云平台业务申请表"


def test_the_phone_is_masked_for_those_who_may_not_see_it(application):
    form = _form(application)
    assert "138****0003" in pdf_text(render.application_pdf(form, reveal_phone=False))
    text = docx_text(render.application_docx(form, reveal_phone=False))
    assert "138****0003" in text and "13805230003" not in text


def test_an_undecided_application_leaves_the_centers_boxes_empty(city, applicant):
    application = make_application(organization=city.dept_a, created_by=applicant)
    text = pdf_text(render.application_pdf(_form(application)))
    assert "☐ 同意受理" in text and "☐ 同意" in text and "☑ 同意" not in text
    assert "核定规格" not in text
    assert "已提交" in text  # the state, in Chinese


def test_a_rejected_application_says_so(city, applicant):
    application = make_application(organization=city.dept_a, created_by=applicant, rejected=True)
    text = pdf_text(render.application_pdf(_form(application)))
    assert "☑ 不同意" in text and "资源需求不明确" in text
    assert "核定规格" not in text


def test_a_short_application_fits_one_page(city, applicant):
    application = make_application(organization=city.dept_a, created_by=applicant)
    assert pages(render.application_pdf(_form(application))) == 1


def test_many_items_flow_onto_more_pages_with_the_footer_on_each(application):
    host = CatalogItem.objects.get(code="host")
    for _ in range(25):
        ApplicationItem.objects.create(application=application, catalog_item=host, quantity=1, spec={"vcpu": 2})
    data = render.application_pdf(_form(application))
    count = pages(data)
    assert count >= 2
    assert pdf_text(data).count("校验码") == count


def test_labels_come_from_the_catalog_also_for_retired_values(application):
    SpecOption.objects.filter(item__code="host", value="centos-7.0-64").update(retired_at="2026-01-01T00:00:00Z")
    assert "CentOS 7.0 64位" in pdf_text(render.application_pdf(_form(application)))


def test_the_verification_code_follows_the_content(application):
    code = render.verification_code(_form(application))
    assert code == render.verification_code(_form(application))
    ApplicationItem.objects.filter(application=application).update(quantity=5)
    assert render.verification_code(_form(application)) != code


# --- The blank form ---------------------------------------------------------------------------------


def test_the_blank_form_lists_the_catalog_to_tick(city):
    from govcloud.catalog.seed import seed_annex1

    seed_annex1()
    text = pdf_text(render.blank_pdf())
    for expected in [
        "泰州市政务云平台业务申请表",
        "云主机",
        "☐ 1核",
        "☐ 64GB",
        "超高IO (SSD)",
        "CentOS 7.0 64位",
        "Windows Server 2012 R2",
        "MySQL 5.6",
        "SQL Server 2008 R2",
        "Oracle 11g",
        "TB",
        "七层 (L7)",
        "电子政务外网",
        "互联网",
        "地址报备",
        "盖章",
    ]:
        assert expected in text, expected
    assert DEPARTMENT not in text
    word = docx_text(render.blank_docx())
    for expected in ["泰州市政务云平台业务申请表", "CentOS 7.0 64位", "Oracle 11g", "七层 (L7)", "盖章"]:
        assert expected in word, expected


def test_the_blank_form_follows_the_catalog_and_is_cached(city, django_assert_max_num_queries, monkeypatch):
    from govcloud.catalog.seed import seed_annex1

    seed_annex1()
    calls = []
    original = render._RENDERERS[render.PDF]
    monkeypatch.setitem(render._RENDERERS, render.PDF, lambda c: calls.append(c) or original(c))
    first = render.blank_pdf()
    assert render.blank_pdf() == first and len(calls) == 1
    SpecOption.objects.create(
        item=CatalogItem.objects.get(code="host"), dimension="os_image", value="x", label="麒麟V10"
    )
    assert "麒麟V10" in pdf_text(render.blank_pdf())
    assert len(calls) == 2
    SpecOption.objects.filter(value="x").update(retired_at="2026-01-01T00:00:00Z")
    assert "麒麟V10" not in pdf_text(render.blank_pdf())


# --- Downloads: who may, and the audit trail ---------------------------------------------------------


@pytest.mark.parametrize(
    "name, kind", [("documents:application_pdf", "application/pdf"), ("documents:application_docx", "officedocument")]
)
def test_the_department_downloads_its_form_and_it_is_audited(client, applicant, application, name, kind):
    login(client, applicant)
    response = client.get(reverse(name, kwargs={"pk": application.pk}))
    assert response.status_code == 200
    assert kind in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"] and application.number in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    text = pdf_text(body) if kind == "application/pdf" else docx_text(body)
    assert DEPARTMENT in text and "13805230003" in text
    event = AuditEvent.objects.get(action="application_form.download")
    assert event.actor_id == applicant.pk and event.object_id == str(application.pk)
    assert event.subject_organization_path == application.organization.path
    assert render.verification_code(application) in event.message


@pytest.mark.parametrize("role", [Role.CENTER_REVIEWER, Role.CENTER_ADMIN, Role.PROVIDER_OPERATOR])
def test_the_center_and_the_provider_may_download(client, city, application, role):
    login(client, city.user(role))
    assert client.get(reverse("documents:application_pdf", kwargs={"pk": application.pk})).status_code == 200


@pytest.mark.parametrize("name", ["documents:application_pdf", "documents:application_docx"])
@pytest.mark.parametrize(
    "role, org", [(Role.DEPARTMENT_APPLICANT, "dept_b"), (Role.DEPARTMENT_HEAD, "dept_b"), (Role.FINANCE_VIEWER, None)]
)
def test_another_department_gets_what_a_missing_form_gets(client, city, application, name, role, org):
    user = city.user(role, org=getattr(city, org) if org else None)
    login(client, user)
    theirs = client.get(reverse(name, kwargs={"pk": application.pk}))
    missing = client.get(reverse(name, kwargs={"pk": 987654321}))
    assert theirs.status_code == missing.status_code == 404
    assert not AuditEvent.objects.filter(action="application_form.download").exists()
    denial = AuditEvent.objects.get(action="access.out_of_scope", actor_id=user.pk)
    assert denial.object_id == str(application.pk)


def test_a_unit_of_another_department_cannot_download_but_the_parent_can(client, city, applicant):
    unit_application = make_application(organization=city.unit_a, created_by=applicant)
    login(client, city.user(Role.DEPARTMENT_HEAD, org=city.dept_a))
    assert client.get(reverse("documents:application_pdf", kwargs={"pk": unit_application.pk})).status_code == 200
    parent_application = make_application(organization=city.dept_a, created_by=applicant)
    login(client, city.user(Role.DEPARTMENT_HEAD, org=city.unit_a))
    assert client.get(reverse("documents:application_pdf", kwargs={"pk": parent_application.pk})).status_code == 404


def test_anonymous_is_sent_to_log_in(client, application):
    response = client.get(reverse("documents:application_pdf", kwargs={"pk": application.pk}))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_download_service_masks_nothing_for_the_system(application):
    from govcloud.applications.documents import services

    form = services.application_form_download(actor=SYSTEM, application=application, fmt="docx")
    assert "13805230003" in docx_text(form.data)
    assert AuditEvent.objects.get(action="application_form.download").actor_username == "system"


def test_the_download_service_refuses_an_unknown_format(application):
    from django.core.exceptions import ValidationError

    from govcloud.applications.documents import services

    with pytest.raises(ValidationError):
        services.application_form_download(actor=SYSTEM, application=application, fmt="exe")


def test_the_download_runs_a_fixed_number_of_queries(client, applicant, application):
    login(client, applicant)
    url = reverse("documents:application_docx", kwargs={"pk": application.pk})
    client.get(url)

    def run():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = run()
    host = CatalogItem.objects.get(code="host")
    for _ in range(30):
        ApplicationItem.objects.create(application=application, catalog_item=host, quantity=1, spec={"vcpu": 2})
    assert run() == small


@pytest.mark.parametrize(
    "name, kind", [("documents:blank_pdf", "application/pdf"), ("documents:blank_docx", "officedocument")]
)
def test_the_blank_form_is_public(client, city, name, kind):
    response = client.get(reverse(name))
    assert response.status_code == 200 and kind in response["Content-Type"]
    assert "public" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert not AuditEvent.objects.filter(action="application_form.download").exists()
