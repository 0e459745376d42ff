"""The ledger pages: the list with its filters, a resource's history, totals, quotas, and the
export — each within the viewer's scope."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.catalog.models import Quota
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job, JobStatus
from govcloud.core.roles import Role
from govcloud.ledger import services
from govcloud.ledger.tests.helpers import DB_SPEC, adopt, deliver

pytestmark = pytest.mark.django_db


def rows(response, testid="resource-row") -> int:
    assert response.status_code == 200
    return response.content.decode().count(f'data-testid="{testid}"')


@pytest.fixture
def resources(city):
    a = adopt(city.dept_a, name="甲局主机")
    adopt(city.dept_a, "db-mysql-5.6", DB_SPEC, name="甲局数据库")
    b = adopt(city.dept_b, name="乙局主机")
    return a, b


def test_the_list_shows_each_viewer_their_scope(client, city, resources):
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    page = client.get(reverse("ledger:resource_list"))
    assert rows(page) == 2 and "乙局主机" not in page.content.decode()
    assert rows(client.get(reverse("ledger:resource_list"), {"kind": "database"})) == 1
    login(client, city.user(Role.FINANCE_VIEWER))
    assert rows(client.get(reverse("ledger:resource_list"))) == 3
    login(client, city.user(Role.EXPERT))
    assert rows(client.get(reverse("ledger:resource_list"))) == 0


def test_the_detail_shows_the_full_history_with_its_applications(client, city):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    resource, app = deliver(city.dept_a, created_by=applicant, name="预约挂号前置机")
    services.resource_activate(actor=applicant, resource=resource, application=app)
    services.resource_change(actor=SYSTEM, resource=resource, spec={**HOST_SPEC, "vcpu": 8}, note="扩容")
    login(client, applicant)
    html = client.get(reverse("ledger:resource_detail", kwargs={"pk": resource.pk})).content.decode()
    assert html.count('data-testid="history-entry"') == 3
    assert app.number in html and "扩容" in html and "CentOS 7.0 64位" in html
    login(client, city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b))
    assert client.get(reverse("ledger:resource_detail", kwargs={"pk": resource.pk})).status_code == 404


def test_totals_page(client, city, resources):
    login(client, city.user(Role.CENTER_REVIEWER))
    html = client.get(reverse("ledger:totals")).content.decode()
    assert html.count('data-testid="totals-row"') == 2
    assert 'data-testid="total-vcpu">10<' in html
    html = client.get(reverse("ledger:totals"), {"kind": "host"}).content.decode()
    assert 'data-testid="total-vcpu">8<' in html


def test_the_center_administrator_sets_quotas(client, city, resources):
    admin = city.user(Role.CENTER_ADMIN)
    login(client, admin)
    url = reverse("ledger:quota_edit", kwargs={"pk": city.dept_a.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"vcpu": "4", "memory_gb": "", "storage_tb": "2.5", "note": "2026年度"})
    assert response.status_code == 302
    quota = Quota.objects.get(organization=city.dept_a)
    assert (quota.vcpu, quota.memory_gb, str(quota.storage_tb)) == (4, None, "2.50")
    html = client.get(reverse("ledger:quota_list")).content.decode()
    assert 'data-testid="quota-over"' in html  # 6 vCPU in use, 4 allowed
    head = city.user(Role.DEPARTMENT_HEAD)
    login(client, head)
    assert client.get(url).status_code == 403
    assert client.post(url, {"vcpu": "400"}).status_code == 403
    assert rows(client.get(reverse("ledger:quota_list")), "quota-row") == 2  # the department and its unit
    login(client, city.user(Role.EXPERT))
    assert client.get(reverse("ledger:quota_list")).status_code == 403


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_contains_only_what_the_requester_sees(
    client, city, resources, fmt, django_capture_on_commit_callbacks
):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    login(client, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ledger:export") + "?kind=host", {"format": fmt})
    job = Job.objects.get(owner=applicant)
    assert response.status_code == 302 and job.status == JobStatus.SUCCEEDED and job.result == {"rows": 1}
    path = Path(settings.PRIVATE_MEDIA_ROOT) / job.result_file
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    else:
        table = [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    assert len(table) == 2 and "甲局主机" in table[1] and "乙局主机" not in str(table)
    event = AuditEvent.objects.get(action="resource.export")
    assert event.actor_id == applicant.pk and '"kind":"host"' in event.message
    login(client, city.user(Role.EXPERT))
    assert client.post(reverse("ledger:export"), {"format": fmt}).status_code == 403
