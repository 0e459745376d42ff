"""The REST API of the workflow: nested items, every step as POST /applications/{id}/<step>/, the
gate, the estimate, the inbox, documents; work orders with claim/note/complete. Forbidden cases
answer 403 (role) or 404 (scope), bad input 400 with the service's message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import HOST_SPEC, advance, api_for, in_service_resource, new_application, pdf
from govcloud.delivery.models import WorkOrder

pytestmark = pytest.mark.django_db
S = ApplicationState


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


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def test_the_whole_lifecycle_over_the_api(wf):
    applicant, head, reviewer, admin, provider = (
        api_for(u) for u in (wf.applicant, wf.head, wf.reviewer, wf.admin, wf.provider)
    )
    created = applicant.post(url("application-list"), payload(wf), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert body["state"] == "draft" and body["items"][0]["catalog_item"] == "host"
    assert set(body["allowed_actions"]) == {"submit", "cancel"}
    assert applicant.post(url("application-submit", pk=pk), {}, format="json").status_code == 200
    signed = head.post(url("application-sign-off", pk=pk), {"comment": "同意"}, format="json").json()
    # Until accepted the clock is the acceptance's (受理, its own limit); then the decision's.
    assert signed["state"] == "submitted" and signed["current_deadline"]["kind"] == "acceptance"
    assert signed["acceptance_due_at"] and signed["decision_due_at"]
    inbox = reviewer.get(url("application-inbox")).json()
    assert [a["id"] for a in inbox["results"]] == [pk]
    accepted = reviewer.post(url("application-accept", pk=pk), {}, format="json").json()
    assert accepted["state"] == "accepted" and accepted["current_deadline"]["kind"] == "decision"
    item_id = signed["items"][0]["id"]
    approved = admin.post(
        url("application-approve", pk=pk),
        {"decisions": [{"item": item_id, "approved_quantity": 1, "approval_note": "先批一台"}], "comment": "同意"},
        format="json",
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "in_delivery" and len(approved.json()["work_orders"]) == 1
    order_id = approved.json()["work_orders"][0]["id"]
    queue = provider.get(url("work-order-list"), {"queue": "open"}).json()
    assert [o["id"] for o in queue["results"]] == [order_id]
    assert provider.post(url("work-order-claim", pk=order_id)).json()["state"] == "claimed"
    assert provider.post(url("work-order-note", pk=order_id), {"text": "装机中"}, format="json").status_code == 201
    bad = provider.post(
        url("work-order-complete", pk=order_id),
        {"delivered": [{"name": "a", "spec": {**HOST_SPEC, "vcpu": 3}}]},
        format="json",
    )
    assert bad.status_code == 400 and "allowed: 1, 2, 4" in str(bad.json()["delivered"])
    done = provider.post(
        url("work-order-complete", pk=order_id),
        {
            "delivered": [
                {"name": "web-1", "spec": HOST_SPEC, "addresses": [{"network": "extranet", "address": "10.3.0.1"}]}
            ]
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "completed" and done.json()["delivered"][0]["resource"].startswith("TZ-VM-")
    gate = applicant.get(url("application-gate", pk=pk)).json()
    assert gate == {"cleared": True, "checks": []}
    accepted = applicant.post(url("application-accept-delivery", pk=pk), {"comment": "验收通过"}, format="json")
    assert accepted.json()["state"] == "in_service"
    events = [e["action"] for e in accepted.json()["events"]]
    assert events[0] == "create" and events[-1] == "accept_delivery" and "work_order" in events


def test_forbidden_and_invalid_requests(wf):
    app = new_application(wf)
    applicant, reviewer, b_head, provider = (api_for(u) for u in (wf.applicant, wf.reviewer, wf.b_head, wf.provider))
    # Role: 403; scope: 404 like a missing id.
    assert reviewer.post(url("application-submit", pk=app.pk), {}, format="json").status_code == 403
    assert b_head.post(url("application-submit", pk=app.pk), {}, format="json").status_code == 404
    assert b_head.get(url("application-detail", pk=app.pk)).status_code == 404
    assert b_head.get(url("application-detail", pk=987654)).status_code == 404
    assert provider.post(url("application-list"), payload(wf), format="json").status_code == 403
    assert reviewer.patch(url("application-detail", pk=app.pk), {"purpose": "中心改"}, format="json").status_code == 403
    # State: 409 with the reason (the request conflicts with the application's current state).
    response = reviewer.post(url("application-accept", pk=app.pk), {}, format="json")
    assert response.status_code == 409 and "not possible" in str(response.json())
    # Reasons are required to return.
    advance(wf, app, S.SUBMITTED)
    assert reviewer.post(url("application-return-for-correction", pk=app.pk), {}, format="json").status_code == 400
    # Catalog rules, naming the allowed values.
    bad = applicant.post(
        url("application-list"), payload(wf, items=[{"catalog_item": "host", "spec": {"vcpu": 3}}]), format="json"
    )
    assert bad.status_code == 400 and "allowed: 1, 2, 4" in str(bad.json()["items"])
    unknown = applicant.post(url("application-list"), payload(wf, items=[{"catalog_item": "mainframe"}]), format="json")
    assert unknown.status_code == 400 and "unknown catalog item" in str(unknown.json())
    other_system = applicant.post(url("application-list"), payload(wf, system=wf.b_system.pk), format="json")
    assert other_system.status_code == 400 and "system" in other_system.json()
    # Another department's resource is an unknown resource.
    resource = in_service_resource(wf)
    b_change = api_for(wf.b_applicant).post(
        url("application-list"),
        payload(
            wf, kind="change", system=wf.b_system.pk, items=[{"target_resource": resource.pk, "spec": {"vcpu": 8}}]
        ),
        format="json",
    )
    assert b_change.status_code == 400 and "unknown resource" in str(b_change.json())


def test_patch_replaces_items_and_change_applications(wf):
    app = new_application(wf)
    client = api_for(wf.applicant)
    response = client.patch(
        url("application-detail", pk=app.pk),
        {"purpose": "改为一台", "items": [{"catalog_item": "host", "quantity": 1, "spec": HOST_SPEC}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["purpose"] == "改为一台" and response.json()["items"][0]["quantity"] == 1
    resource = in_service_resource(wf)
    change = client.post(
        url("application-list"),
        payload(wf, kind="change", items=[{"target_resource": resource.pk, "spec": {"vcpu": 8}}]),
        format="json",
    )
    assert change.status_code == 201, change.json()
    assert change.json()["items"][0]["target_resource"] == resource.code


def test_estimate_and_documents(wf):
    client = api_for(wf.applicant)
    estimate = client.post(
        url("application-estimate") + "?kind=new",
        [{"catalog_item": "host", "quantity": 2, "spec": HOST_SPEC}],
        format="json",
    )
    assert estimate.status_code == 200 and estimate.json()["total"] == "1200.00"
    assert api_for(wf.provider).post(url("application-estimate"), [], format="json").status_code == 403
    app = new_application(wf)
    upload = client.post(
        url("application-attachments", pk=app.pk), {"kind": "stamped_form", "file": pdf()}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()
    attachment_id = upload.json()["id"]
    assert client.get(url("application-attachment-list")).json()["count"] == 1
    download = client.get(url("application-attachment-download", pk=attachment_id))
    assert download.status_code == 200
    assert api_for(wf.b_head).get(url("application-attachment-download", pk=attachment_id)).status_code == 404
    assert api_for(wf.b_head).get(url("application-attachment-detail", pk=attachment_id)).status_code == 404


def test_work_order_forbidden_cases(wf):
    app = advance(wf, new_application(wf), S.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    assert api_for(wf.applicant).post(url("work-order-claim", pk=order.pk)).status_code == 403
    assert api_for(wf.b_head).post(url("work-order-claim", pk=order.pk)).status_code == 404
    assert api_for(wf.b_head).get(url("work-order-detail", pk=order.pk)).status_code == 404
    assert api_for(wf.applicant).get(url("work-order-detail", pk=order.pk)).status_code == 200
    assert api_for(wf.provider).post(url("work-order-complete", pk=order.pk), {}, format="json").status_code == 400
    assert api_for(wf.b_head).get(url("work-order-list")).json()["count"] == 0


def test_the_schema_documents_the_workflow(wf):
    client = api_for(wf.admin)
    schema = client.get(url("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/applications/",
        "/api/v1/applications/{id}/approve/",
        "/api/v1/applications/{id}/sign-off/",
        "/api/v1/applications/{id}/return-for-correction/",
        "/api/v1/applications/{id}/accept-delivery/",
        "/api/v1/applications/{id}/gate/",
        "/api/v1/applications/inbox/",
        "/api/v1/work-orders/{id}/complete/",
    ):
        assert path in paths, path


def test_a_step_someone_else_took_first_answers_409(wf):
    """The losing side of two simultaneous approvals (it sees the application already approved once
    the row lock lets it through) got 400, as if its request were malformed; it is a conflict."""
    app = advance(wf, new_application(wf), ApplicationState.ACCEPTED)
    admin = api_for(wf.admin)
    first = admin.post(url("application-approve", pk=app.pk), {"decisions": [], "comment": "同意"}, format="json")
    assert first.status_code == 200, first.json()
    second = admin.post(url("application-approve", pk=app.pk), {"decisions": [], "comment": "同意"}, format="json")
    assert second.status_code == 409, second.json()
    assert "is not possible while" in second.json()["non_field_errors"][0]
    # Bad input is still 400: an unknown item in the decisions.
    other = advance(wf, new_application(wf), ApplicationState.ACCEPTED)
    bad = admin.post(
        url("application-approve", pk=other.pk),
        {"decisions": [{"item": 987654, "approved_quantity": 1}], "comment": ""},
        format="json",
    )
    assert bad.status_code == 400, bad.json()


def test_claiming_a_work_order_someone_completed_answers_409(wf):
    app = advance(wf, new_application(wf), ApplicationState.DELIVERED)
    order = WorkOrder.objects.get(application=app)
    response = api_for(wf.provider).post(url("work-order-claim", pk=order.pk))
    assert response.status_code == 409, response.json()


def test_the_centers_lists_leave_out_what_departments_have_not_submitted(wf, client):
    draft = new_application(wf)
    waiting = advance(wf, new_application(wf), ApplicationState.AWAITING_SIGNOFF)
    submitted = advance(wf, new_application(wf), ApplicationState.SUBMITTED)
    for user in (wf.reviewer, wf.admin):
        listed = [a["id"] for a in api_for(user).get(url("application-list")).json()["results"]]
        assert listed == [submitted.pk], user
        client.force_login(user)
        page = client.get(reverse("applications:application_list"))
        assert [a.pk for a in page.context["page"]] == [submitted.pk]
    # The department's own people still list everything of theirs.
    listed = {a["id"] for a in api_for(wf.applicant).get(url("application-list")).json()["results"]}
    assert listed == {draft.pk, waiting.pk, submitted.pk}
