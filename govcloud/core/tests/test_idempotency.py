"""A creating request repeated with the same idempotency key is done once (issue 12).

A client that loses the connection after the server committed retries; before, the retry created a
second record (two drafts from one application form). Now the API's `Idempotency-Key` header and the
pages' `idempotency_key` form field (added by web/static/web/forms.js) make the repeat get the first
answer. The concurrent cases run on SQLite and PostgreSQL like the suite's other concurrency tests.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone, translation

from conftest import login
from govcloud.applications.models import Application
from govcloud.applications.tests.helpers import HOST_SPEC, api_for, item
from govcloud.audit.models import AuditEvent
from govcloud.core import idempotency
from govcloud.core.models import IdempotencyKey
from govcloud.core.policy import Policy
from govcloud.core.roles import Role
from govcloud.core.services import idempotency_keys_purge
from govcloud.core.tasks import idempotency_keys_purge_task
from govcloud.organizations.models import ApiToken
from govcloud.policies.services import policy_set

pytestmark = pytest.mark.django_db

KEY = "HTTP_IDEMPOTENCY_KEY"


def payload(wf, **changes):
    data = {
        "kind": "new",
        "system": wf.system.pk,
        "purpose": "接口创建的申请",
        "environment": "test",
        "contact_name": "孙申请",
        "contact_phone": "0523-86830001",
        "items": [{"catalog_item": "host", "quantity": 2, "spec": HOST_SPEC}],
    }
    data.update(changes)
    return data


def form_data(wf, key: str | None = None, **changes) -> dict:
    data = {
        "kind": "new",
        "system": wf.system.pk,
        "environment": "test",
        "purpose": "新建预约挂号前置服务",
        "contact_name": "孙申请",
        "contact_phone": "0523-86830001",
        "quota_justification": "",
        "items-0-catalog_item": item("host").pk,
        "items-0-quantity": 2,
        **{f"items-0-spec_{k}": v for k, v in HOST_SPEC.items()},
    }
    if key:
        data[idempotency.FORM_FIELD] = key
    data.update(changes)
    return data


CREATE = "/api/v1/applications/"
NEW_FORM = "/applications/new/"


# --- The API ----------------------------------------------------------------------------------------


def test_an_api_create_repeated_with_the_same_key_creates_one_record_and_answers_the_same(wf):
    api = api_for(wf.applicant)
    key = str(uuid.uuid4())
    first = api.post(CREATE, payload(wf), format="json", **{KEY: key})
    assert first.status_code == 201, first.json()
    again = api.post(CREATE, payload(wf), format="json", **{KEY: key})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.create").count() == 1
    # Without a key (or with another one) every request is a new one, as before.
    assert api.post(CREATE, payload(wf), format="json", **{KEY: str(uuid.uuid4())}).status_code == 201
    assert api.post(CREATE, payload(wf), format="json").status_code == 201
    assert Application.objects.count() == 3


def test_the_same_key_with_a_different_body_is_refused(wf):
    api = api_for(wf.applicant)
    key = str(uuid.uuid4())
    assert api.post(CREATE, payload(wf), format="json", **{KEY: key}).status_code == 201
    other = api.post(CREATE, payload(wf, purpose="另一个申请"), format="json", **{KEY: key})
    assert other.status_code == 422
    assert "already used for a different request" in other.json()["detail"]
    assert Application.objects.count() == 1
    # In Chinese for a client asking for it.
    api.credentials(HTTP_AUTHORIZATION=api._credentials["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    other_zh = api.post(CREATE, payload(wf, purpose="另一个申请"), format="json", **{KEY: key})
    assert other_zh.status_code == 422 and "已用于另一个不同的请求" in other_zh.json()["detail"]


def test_the_key_is_per_user(wf):
    key = str(uuid.uuid4())
    assert api_for(wf.applicant).post(CREATE, payload(wf), format="json", **{KEY: key}).status_code == 201
    other = wf.city.user(Role.DEPARTMENT_APPLICANT, org=wf.city.dept_a)
    second = api_for(other).post(CREATE, payload(wf), format="json", **{KEY: key})
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert Application.objects.count() == 2


def test_an_error_answer_is_not_kept_and_the_key_can_be_used_again(wf):
    api = api_for(wf.applicant)
    key = str(uuid.uuid4())
    bad = api.post(CREATE, payload(wf, items=[]), format="json", **{KEY: key})
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = api.post(CREATE, payload(wf), format="json", **{KEY: key})
    assert good.status_code == 201 and "Idempotent-Replayed" not in good
    assert Application.objects.count() == 1


def test_a_malformed_key_is_refused(wf):
    api = api_for(wf.applicant)
    for key in ("x" * 256, "with space", "中文"):
        response = api.post(CREATE, payload(wf), format="json", **{KEY: key})
        assert response.status_code == 400, key
        assert "Idempotency-Key" in response.json()["detail"]
    assert not Application.objects.exists()


def test_a_server_error_rolls_back_the_work_and_the_key(wf, monkeypatch):
    """The reservation and the work commit together: a crash after the record was written leaves
    neither, so the retry does the work (once)."""
    from govcloud.applications.api import views as api_views

    def crash(*args, **kwargs):
        raise RuntimeError("the connection to the client broke")

    monkeypatch.setattr(api_views.ApplicationViewSet, "_fresh", crash)
    api = api_for(wf.applicant)
    api.raise_request_exception = False
    key = str(uuid.uuid4())
    assert api.post(CREATE, payload(wf), format="json", **{KEY: key}).status_code == 500
    assert not Application.objects.exists() and not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert api.post(CREATE, payload(wf), format="json", **{KEY: key}).status_code == 201
    assert Application.objects.count() == 1


def test_a_stored_answer_holding_a_secret_is_encrypted_at_rest(wf, client):
    """Creating an API token answers its secret once; the repeat gets the same token, not a second
    one, and the stored answer cannot be read from the database."""
    login(client, wf.applicant)
    key = str(uuid.uuid4())
    body = {"name": "脚本", "expires_in_days": 30}
    first = client.post("/api/v1/tokens/", body, content_type="application/json", **{KEY: key})
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/tokens/", body, content_type="application/json", **{KEY: key})
    assert again.json() == first.json()
    assert ApiToken.objects.filter(user=wf.applicant).count() == 1
    secret = first.json()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM core_idempotencykey")
        (raw,) = cursor.fetchone()
    assert raw.startswith("sm4gcm1:") and secret not in raw


def test_a_post_that_is_not_a_creating_call_ignores_the_key(wf):
    from govcloud.applications.tests.helpers import new_application

    app = new_application(wf)
    api = api_for(wf.applicant)
    response = api.post(f"/api/v1/applications/{app.pk}/submit/", {}, format="json", **{KEY: "k-1"})
    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


# --- The pages --------------------------------------------------------------------------------------


def test_a_page_form_sent_twice_with_its_token_creates_one_draft(wf, client):
    login(client, wf.applicant)
    page = client.get(NEW_FORM)
    assert b"web/forms.js" in page.content  # the script that adds the token to every POST form
    key = str(uuid.uuid4())
    first = client.post(NEW_FORM, form_data(wf, key))
    assert first.status_code == 302, first.content.decode()[:500]
    again = client.post(NEW_FORM, form_data(wf, key))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Application.objects.count() == 1
    # The same token with other contents: refused with a page that says so.
    client.cookies["django_language"] = "en"
    changed = client.post(NEW_FORM, form_data(wf, key, purpose="改过的用途"))
    assert changed.status_code == 422
    assert "already submitted with different contents" in changed.content.decode()
    assert Application.objects.count() == 1
    # A new page load (a new token) is a new request.
    assert client.post(NEW_FORM, form_data(wf, str(uuid.uuid4()))).status_code == 302
    assert Application.objects.count() == 2


def test_an_invalid_form_is_not_kept(wf, client):
    login(client, wf.applicant)
    key = str(uuid.uuid4())
    assert client.post(NEW_FORM, form_data(wf, key, purpose="")).status_code == 400
    assert client.post(NEW_FORM, form_data(wf, key)).status_code == 302
    assert Application.objects.count() == 1


# --- Concurrency --------------------------------------------------------------------------------------


def race(workers):
    barrier = threading.Barrier(len(workers))
    outcomes: list = [None] * len(workers)

    def run(i, work):
        try:
            barrier.wait()
            with translation.override("en"):
                outcomes[i] = work()
        except Exception as exc:  # collected and checked below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_page_posts_of_the_new_application_form_create_one_draft(wf):
    """The issue's case: the form's POST sent twice at the same moment gave two drafts."""
    clients = [login(Client(), wf.applicant) for _ in range(2)]
    data = form_data(wf, str(uuid.uuid4()))
    outcomes = race([lambda c=c: c.post(NEW_FORM, data) for c in clients])
    assert all(getattr(o, "status_code", None) == 302 for o in outcomes), outcomes
    assert outcomes[0]["Location"] == outcomes[1]["Location"]
    assert Application.objects.count() == 1
    assert sum(o.has_header("Idempotent-Replayed") for o in outcomes) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_api_creates_with_the_same_key_create_one_record(wf):
    clients = [api_for(wf.applicant) for _ in range(3)]
    key = str(uuid.uuid4())
    outcomes = race([lambda c=c: c.post(CREATE, payload(wf), format="json", **{KEY: key}) for c in clients])
    assert all(getattr(o, "status_code", None) == 201 for o in outcomes), outcomes
    assert len({o.content for o in outcomes}) == 1
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.create").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has no row locks: a duplicate waits at BEGIN")
def test_a_duplicate_waiting_too_long_for_the_first_is_told_409(wf, monkeypatch):
    """PostgreSQL: the duplicate waits on the first request's uncommitted row; past the wait it is
    answered 409 (retry later) rather than held."""
    from govcloud.core import services

    monkeypatch.setattr(services, "IDEMPOTENCY_WAIT_SECONDS", 1)
    key = str(uuid.uuid4())
    holding = threading.Event()
    release = threading.Event()

    def first_request_still_running():
        from django.db import transaction

        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(user=wf.applicant, key=key, fingerprint="x", method="POST", path="/")
                holding.set()
                release.wait(10)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=first_request_still_running)
    thread.start()
    holding.wait(10)
    try:
        response = api_for(wf.applicant).post(CREATE, payload(wf), format="json", **{KEY: key})
    finally:
        release.set()
        thread.join()
    assert response.status_code == 409
    assert response["Retry-After"]
    assert not Application.objects.exists()


# --- Expiry ---------------------------------------------------------------------------------------------


def test_keys_expire_after_the_policy_period(wf, time_machine):
    api = api_for(wf.applicant)
    key = str(uuid.uuid4())
    assert api.post(CREATE, payload(wf), format="json", **{KEY: key}).status_code == 201
    time_machine.move_to(timezone.now() + timedelta(hours=23))
    assert idempotency_keys_purge() == 0
    assert api.post(CREATE, payload(wf), format="json", **{KEY: key})["Idempotent-Replayed"] == "true"
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert idempotency_keys_purge_task.call() == 1
    assert not IdempotencyKey.objects.exists()
    # Past the period the key is a new request.
    assert "Idempotent-Replayed" not in api.post(CREATE, payload(wf), format="json", **{KEY: key})
    assert Application.objects.count() == 2


def test_an_expired_key_not_yet_purged_is_a_new_request_and_the_period_is_a_policy(wf, time_machine):
    policy_set(actor=wf.city.user(Role.SECURITY_ADMIN), key=Policy.IDEMPOTENCY_KEY_HOURS, raw="2")
    api = api_for(wf.applicant)
    key = str(uuid.uuid4())
    assert api.post(CREATE, payload(wf), format="json", **{KEY: key}).status_code == 201
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    again = api.post(CREATE, payload(wf), format="json", **{KEY: key})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Application.objects.count() == 2 and IdempotencyKey.objects.count() == 1


def test_the_purge_is_a_periodic_job():
    from govcloud.schedule import PERIODIC_JOBS

    assert any(job.task == "govcloud.core.tasks.idempotency_keys_purge_task" for job in PERIODIC_JOBS)


# --- What takes part, and the documentation ------------------------------------------------------------


def test_every_listed_route_exists():
    names = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, p.namespace or namespace)
            elif p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    assert names >= idempotency.CREATING_ROUTES, idempotency.CREATING_ROUTES - names


def test_the_schema_documents_the_header_on_every_creating_operation(wf, client):
    login(client, wf.applicant)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    creating, others = [], []
    for path, operations in schema["paths"].items():
        post = operations.get("post")
        if not post:
            continue
        header = any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in post.get("parameters", []))
        if {"201", "202"} & set(post["responses"]):
            assert header, f"POST {path} creates but does not take an Idempotency-Key"
            creating.append(path)
        others.append((path, header))
    assert "/api/v1/applications/" in creating and "/api/v1/work-orders/{id}/note/" in creating
    assert ("/api/v1/applications/{id}/submit/", False) in others
    assert ("/api/v1/work-orders/{id}/claim/", False) in others
