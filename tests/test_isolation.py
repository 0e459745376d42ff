"""Isolation harness: every endpoint, run as users of another department, leaks nothing.

Department A owns objects whose names carry a marker; department B's applicant, head and security
officer request every page and API endpoint of the project (the registry in tests/isolation.py
must name them all). Lists and exports must not contain the marker; A's objects must answer
exactly as a missing object does. Positive controls show A's own users do see the marker, so the
probe can fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login
from govcloud.audit.services import audit_record
from govcloud.core.models import Job, JobStatus
from govcloud.core.roles import Role
from govcloud.organizations import services as org_services
from govcloud.organizations.models import Organization, User
from tests.isolation import APP_REGISTRIES, ENDPOINTS, MARKER, Kind
from tests.urlwalk import named_patterns

pytestmark = pytest.mark.django_db

B_ROLES = [Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER]


class World:
    def __init__(self, city):
        self.city = city
        Organization.objects.filter(pk=city.dept_a.pk).update(name=f"甲局{MARKER}")
        self.a_org = Organization.objects.get(pk=city.dept_a.pk)
        self.a_user = city.user(Role.DEPARTMENT_APPLICANT, org=self.a_org, full_name=f"张{MARKER}")
        self.a_security = city.user(Role.DEPARTMENT_SECURITY_OFFICER, org=self.a_org, full_name=f"李{MARKER}")
        self.a_unit_user = city.user(Role.DEPARTMENT_HEAD, org=city.unit_a, full_name=f"王{MARKER}")
        self.a_token, _raw = org_services.token_create(actor=self.a_user, name=f"token{MARKER}", expires_in_days=30)
        self.a_job = Job.objects.create(
            kind="test", label=f"job{MARKER}", owner=self.a_user, status=JobStatus.SUCCEEDED
        )
        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "jobs" / str(self.a_job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "a.csv").write_text(MARKER)
        Job.objects.filter(pk=self.a_job.pk).update(result_file=f"jobs/{self.a_job.pk}/a.csv", result_filename="a.csv")
        self.a_event = audit_record(actor=self.a_user, action="test.marker", object_repr=MARKER, target=self.a_org)
        self.b = {role: city.user(role, org=city.dept_b) for role in B_ROLES}
        for registry in APP_REGISTRIES:
            registry.populate(self)


@pytest.fixture
def world(city):
    return World(city)


def _request(client, method, url, data):
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, data)


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_every_endpoint_is_in_the_harness():
    missing = sorted(set(named_patterns()) - set(ENDPOINTS))
    assert not missing, f"add these endpoints to tests/isolation.py: {missing}"
    stale = sorted(set(ENDPOINTS) - set(named_patterns()))
    assert not stale, f"these harness entries name no URL: {stale}"


@pytest.mark.parametrize("role", B_ROLES, ids=lambda r: r.value)
def test_another_department_sees_nothing(client, world, role, django_capture_on_commit_callbacks):
    prober = world.b[role]
    failures = []
    for name, probe in sorted(ENDPOINTS.items()):
        if probe.kind == Kind.PUBLIC or not probe.methods:
            continue
        for method in probe.methods:
            login(client, prober)
            url = reverse(name, kwargs=probe.kwargs(world)) + (f"?{probe.query}" if probe.query else "")
            jobs_before = set(Job.objects.filter(owner=prober).values_list("pk", flat=True))
            with django_capture_on_commit_callbacks(execute=True):
                response = _request(client, method, url, probe.data)
            body = _body(response)
            where = f"{method.upper()} {name} as {role.value}: {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{where} server error")
            if MARKER in body:
                failures.append(f"{where} shows department A's data")
            for job in Job.objects.filter(owner=prober).exclude(pk__in=jobs_before):
                if job.result_file and MARKER in (Path(settings.PRIVATE_MEDIA_ROOT) / job.result_file).read_text():
                    failures.append(f"{where} exported department A's data")
            if probe.kind == Kind.DETAIL:
                missing_url = reverse(name, kwargs=probe.missing(world))
                login(client, prober)
                missing = _request(client, method, missing_url, probe.data)
                if response.status_code not in (403, 404) or response.status_code != missing.status_code:
                    failures.append(f"{where} differs from a missing object ({missing.status_code}): existence leaks")
    assert not failures, "\n".join(failures)


def test_positive_controls_department_a_sees_its_own(client, world):
    """The probes can fail: A's own users do see the marker on the same endpoints."""
    checked = 0
    for name, probe in sorted(ENDPOINTS.items()):
        if not probe.owner_sees_marker:
            continue
        login(client, getattr(world, probe.owner))
        response = client.get(reverse(name, kwargs=probe.kwargs(world)))
        assert response.status_code == 200, name
        assert MARKER in _body(response), name
        checked += 1
    for name, owner in [
        ("organizations:organization_list", "a_user"),
        ("organizations:token_list", "a_user"),
        ("organization-list", "a_user"),
        ("token-list", "a_user"),
        ("job-list", "a_user"),
        ("audit:event_list", "a_security"),
        ("audit-event-list", "a_security"),
    ]:
        login(client, getattr(world, owner))
        assert MARKER in _body(client.get(reverse(name))), name
        checked += 1
    assert checked >= 10


def test_unit_data_is_visible_to_its_department_but_not_the_other_way(client, world):
    """Art. 4 tree: a department head sees its units' people; a unit does not see its parent's."""
    head = world.city.user(Role.DEPARTMENT_HEAD, org=world.a_org)
    login(client, head)
    assert f"王{MARKER}" in _body(client.get(reverse("organizations:user_list")))
    unit_head = world.a_unit_user
    login(client, unit_head)
    body = _body(client.get(reverse("organizations:user_list")))
    assert f"张{MARKER}" not in body


def test_out_of_scope_access_is_recorded(client, world):
    from govcloud.audit.models import AuditEvent

    prober = world.b[Role.DEPARTMENT_HEAD]
    login(client, prober)
    client.get(reverse("organizations:user_detail", kwargs={"pk": world.a_user.pk}))
    client.get(reverse("user-detail", kwargs={"pk": world.a_user.pk}))
    denials = AuditEvent.objects.filter(action="access.out_of_scope", actor_id=prober.pk)
    assert denials.count() == 2
    assert all(e.outcome == "denied" and e.object_id == str(world.a_user.pk) for e in denials)


def test_provider_and_finance_see_no_people_of_departments(client, world):
    """They may see the directory of organizations (their work spans departments), but none of a
    department's people, tokens or audit events."""
    people = [f"张{MARKER}", f"李{MARKER}", f"王{MARKER}", f"token{MARKER}"]
    for role in (Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER, Role.LEADING_GROUP, Role.EXPERT):
        user = world.city.user(role)
        login(client, user)
        for name in ("organizations:user_list", "user-list", "audit-event-list", "token-list"):
            body = _body(client.get(reverse(name)))
            assert not [p for p in people if p in body], (role, name)
        assert client.get(reverse("user-detail", kwargs={"pk": world.a_user.pk})).status_code == 404


def test_user_model_rows_are_never_all_visible_to_department_roles(world):
    prober = world.b[Role.DEPARTMENT_HEAD]
    visible = set(User.objects.restrict(prober).values_list("organization_id", flat=True))
    assert visible == {world.city.dept_b.pk}
