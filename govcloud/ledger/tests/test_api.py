"""The ledger REST API: resources (list, detail, history, totals, export) and quotas, with their
allowed and forbidden callers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govcloud.audit.models import AuditEvent
from govcloud.catalog.models import Quota
from govcloud.catalog.tests.helpers import HOST_SPEC, api_for
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job
from govcloud.core.roles import Role
from govcloud.ledger import services
from govcloud.ledger.tests.helpers import DB_SPEC, adopt, deliver

pytestmark = pytest.mark.django_db

RESOURCES = "/api/v1/resources/"
QUOTAS = "/api/v1/quotas/"


@pytest.fixture
def resources(city):
    return {
        "a": adopt(city.dept_a, name="甲局主机"),
        "a-db": adopt(city.dept_a, "db-mysql-5.6", DB_SPEC, name="甲局数据库"),
        "unit": adopt(city.unit_a, name="下属单位主机"),
        "b": adopt(city.dept_b, name="乙局主机"),
    }


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_resources_follow_the_scope(city, resources):
    assert names(api_for(city.user(Role.DEPARTMENT_APPLICANT)).get(RESOURCES)) == {
        "甲局主机",
        "甲局数据库",
        "下属单位主机",
    }
    assert names(api_for(city.user(Role.DEPARTMENT_HEAD, org=city.unit_a)).get(RESOURCES)) == {"下属单位主机"}
    for role in (Role.CENTER_ADMIN, Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER):
        assert len(names(api_for(city.user(role)).get(RESOURCES))) == 4, role
    for role in (Role.EXPERT, Role.SYSTEM_ADMIN):
        assert names(api_for(city.user(role)).get(RESOURCES)) == set(), role
    center = api_for(city.user(Role.CENTER_REVIEWER))
    assert names(center.get(RESOURCES, {"kind": "database"})) == {"甲局数据库"}
    assert names(center.get(RESOURCES, {"organization": city.dept_b.pk})) == {"乙局主机"}


def test_detail_and_history(city, resources):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    resource, app = deliver(city.dept_a, created_by=applicant, name="新主机")
    services.resource_activate(actor=applicant, resource=resource, application=app)
    services.resource_change(actor=SYSTEM, resource=resource, spec={**HOST_SPEC, "vcpu": 8})
    client = api_for(applicant)
    detail = client.get(f"{RESOURCES}{resource.pk}/").json()
    assert detail["vcpu"] == 8 and detail["disk_gb"] == 250 and detail["origin_application"] == app.pk
    history = client.get(f"{RESOURCES}{resource.pk}/history/").json()
    assert [h["kind"] for h in history] == ["delivered", "activated", "changed"]
    assert history[0]["application_number"] == app.number
    other = api_for(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b))
    assert other.get(f"{RESOURCES}{resource.pk}/").status_code == 404
    assert other.get(f"{RESOURCES}{resource.pk}/history/").status_code == 404


def test_the_ledger_is_read_only(city, resources):
    client = api_for(city.user(Role.CENTER_ADMIN))
    assert client.post(RESOURCES, {"name": "x"}, format="json").status_code == 405
    assert client.patch(f"{RESOURCES}{resources['a'].pk}/", {"name": "x"}, format="json").status_code == 405
    assert client.delete(f"{RESOURCES}{resources['a'].pk}/").status_code == 405


def test_totals(city, resources):
    rows = api_for(city.user(Role.FINANCE_VIEWER)).get(f"{RESOURCES}totals/").json()
    by_org = {r["organization"]: r for r in rows}
    assert by_org[city.dept_a.pk]["vcpu"] == 6 and by_org[city.dept_a.pk]["resources"] == 2
    assert by_org[city.unit_a.pk]["memory_gb"] == 8
    mine = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)).get(f"{RESOURCES}totals/").json()
    assert [r["organization"] for r in mine] == [city.dept_b.pk]


def test_export(city, resources, django_capture_on_commit_callbacks):
    user = city.user(Role.DEPARTMENT_HEAD)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user).post(f"{RESOURCES}export/?kind=host", {"format": "csv"}, format="json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.result == {"rows": 2}
    assert AuditEvent.objects.filter(action="resource.export", actor_id=user.pk).count() == 1
    assert api_for(city.user(Role.EXPERT)).post(f"{RESOURCES}export/", {}, format="json").status_code == 403


def test_quotas(city, resources):
    admin = api_for(city.user(Role.CENTER_ADMIN))
    created = admin.post(QUOTAS, {"organization": city.dept_a.pk, "vcpu": 32, "note": "年度配额"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["vcpu"] == 32 and body["memory_gb"] is None and body["usage"]["vcpu"] == 10
    # POSTing again replaces the limits of the same department.
    again = admin.post(QUOTAS, {"organization": city.dept_a.pk, "vcpu": 40}, format="json")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    patched = admin.patch(f"{QUOTAS}{body['id']}/", {"memory_gb": 128}, format="json")
    assert patched.status_code == 200 and (patched.json()["vcpu"], patched.json()["memory_gb"]) == (40, 128)
    assert AuditEvent.objects.filter(action="quota.set").count() == 3
    bad = admin.post(QUOTAS, {"organization": city.dept_b.pk, "vcpu": -1}, format="json")
    assert bad.status_code == 400
    assert admin.post(QUOTAS, {"organization": city.center.pk, "vcpu": 1}, format="json").status_code == 400


def test_quotas_are_seen_in_scope_and_set_only_by_the_center(city, resources):
    admin = api_for(city.user(Role.CENTER_ADMIN))
    a_quota = admin.post(QUOTAS, {"organization": city.dept_a.pk, "vcpu": 32}, format="json").json()
    admin.post(QUOTAS, {"organization": city.dept_b.pk, "vcpu": 8}, format="json")
    a_head = api_for(city.user(Role.DEPARTMENT_HEAD))
    assert [q["organization"] for q in a_head.get(QUOTAS).json()["results"]] == [city.dept_a.pk]
    assert a_head.get(f"{QUOTAS}{a_quota['id']}/").status_code == 200
    # A department reads its quota but cannot change it, nor set another.
    assert a_head.patch(f"{QUOTAS}{a_quota['id']}/", {"vcpu": 999}, format="json").status_code == 404
    assert a_head.post(QUOTAS, {"organization": city.dept_a.pk, "vcpu": 999}, format="json").status_code == 403
    assert (
        api_for(city.user(Role.CENTER_REVIEWER))
        .post(QUOTAS, {"organization": city.dept_a.pk, "vcpu": 1}, format="json")
        .status_code
        == 403
    )
    b_head = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b))
    assert b_head.get(f"{QUOTAS}{a_quota['id']}/").status_code == 404
    assert Quota.objects.get(pk=a_quota["id"]).vcpu == 32
    assert len(api_for(city.user(Role.FINANCE_VIEWER)).get(QUOTAS).json()["results"]) == 2


def test_schema_lists_the_endpoints(city):
    client = api_for(city.user(Role.CENTER_ADMIN))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/resources/",
        "/api/v1/resources/{id}/",
        "/api/v1/resources/{id}/history/",
        "/api/v1/resources/totals/",
        "/api/v1/resources/export/",
        "/api/v1/quotas/",
        "/api/v1/quotas/{id}/",
    ):
        assert path in paths, path
