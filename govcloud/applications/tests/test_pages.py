"""The pages: the multi-item form (rows added and re-rendered by HTMX, the live estimate), the
detail page with its steps and documents, the center's inbox. Pages are Chinese by default; the
tests assert on data and test ids."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login
from govcloud.applications.models import Application, ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import (
    HOST_SPEC,
    advance,
    in_service_resource,
    item,
    new_application,
    pdf,
)
from govcloud.catalog.models import Quota
from govcloud.delivery.models import WorkOrder

pytestmark = pytest.mark.django_db
S = ApplicationState


def form_data(wf, rows: dict[int, dict], **header) -> dict:
    data = {
        "kind": "new",
        "system": wf.system.pk,
        "environment": "test",
        "purpose": "新建预约挂号前置服务",
        "contact_name": "孙申请",
        "contact_phone": "0523-86830001",
        "quota_justification": "",
    }
    data.update(header)
    for index, row in rows.items():
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    return data


def host_fields(quantity=2, **spec) -> dict:
    fields = {"catalog_item": item("host").pk, "quantity": quantity}
    fields.update({f"spec_{k}": v for k, v in {**HOST_SPEC, **spec}.items()})
    return fields


def test_the_form_creates_a_draft_with_several_items(wf, client):
    login(client, wf.applicant)
    page = client.get(reverse("applications:application_create"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="item-row"' in body and 'hx-post="/applications/form/estimate/"' in body
    storage = {"catalog_item": item("storage").pk, "quantity": 1, "spec_storage_tb": "2"}
    # Rows 0 and 3 (rows 1-2 were removed in the browser): both are saved.
    response = client.post(reverse("applications:application_create"), form_data(wf, {0: host_fields(), 3: storage}))
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get()
    assert response["Location"] == reverse("applications:application_detail", kwargs={"pk": app.pk})
    assert sorted(app.items.values_list("catalog_item__code", flat=True)) == ["host", "storage"]
    assert app.state == S.DRAFT and app.created_by == wf.applicant


def test_a_bad_row_keeps_what_was_typed_and_names_the_allowed_values(wf, client):
    login(client, wf.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("applications:application_create"), form_data(wf, {0: host_fields(vcpu=3)}, purpose="扩容")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "allowed: 1, 2, 4, 8, 16, 32" in body
    assert "扩容" in body  # what was typed is kept
    assert not Application.objects.exists()
    empty = client.post(reverse("applications:application_create"), form_data(wf, {}))
    assert empty.status_code == 400 and not Application.objects.exists()


def test_htmx_rows_follow_the_chosen_item(wf, client):
    login(client, wf.applicant)
    url = reverse("applications:item_row")
    new_row = client.get(url, {"kind": "new", "index": 4, "append": 1})
    assert new_row.status_code == 200 and new_row["HX-Trigger"] == "rowsChanged"
    body = new_row.content.decode()
    assert 'id="item-row-4"' in body and 'hx-swap-oob="true"' in body and "index=5" in body
    chosen = client.get(
        url, {"kind": "new", "index": 4, "items-4-catalog_item": item("host").pk, "items-4-spec_vcpu": "8"}
    )
    body = chosen.content.decode()
    assert 'name="items-4-spec_os_image"' in body and 'name="items-4-spec_vcpu"' in body
    assert '<option value="8" selected>' in body
    db = client.get(url, {"kind": "new", "index": 4, "items-4-catalog_item": item("db-mysql-5.6").pk})
    assert 'name="items-4-spec_storage_gb"' in db.content.decode() and "spec_os_image" not in db.content.decode()


def test_the_live_estimate_prices_complete_rows_and_warns_of_the_quota(wf, client):
    Quota.objects.create(organization=wf.city.dept_a, vcpu=4)
    login(client, wf.applicant)
    response = client.post(
        reverse("applications:estimate"), form_data(wf, {0: host_fields(2), 1: {"catalog_item": ""}})
    )
    body = response.content.decode()
    assert response.status_code == 200
    # 2 × (4 × 50 + 8 × 20 + 300 × 0.8) = 1200
    assert 'data-testid="estimate-total">¥1,200.00<' in body
    assert 'data-testid="quota-warning"' in body


def test_change_rows_show_the_resource_and_its_current_spec(wf, client):
    resource = in_service_resource(wf)
    login(client, wf.applicant)
    page = client.get(reverse("applications:application_create"), {"kind": "change", "resource": resource.pk})
    body = page.content.decode()
    assert resource.code in body and 'data-testid="current-spec"' in body
    data = form_data(wf, {0: {"target_resource": resource.pk, "spec_vcpu": "8", "needed_until": ""}}, kind="change")
    data.update({f"items-0-spec_{k}": v for k, v in resource.spec.items() if k != "vcpu"})
    response = client.post(reverse("applications:application_create") + "?kind=change", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Application.objects.get(kind=ApplicationKind.CHANGE).items.get().spec["vcpu"] == 8


def test_a_termination_form(wf, client):
    resource = in_service_resource(wf)
    login(client, wf.applicant)
    data = form_data(
        wf,
        {0: {"target_resource": resource.pk}},
        kind="termination",
        termination_mode="destruction",
        termination_date=(date.today() + timedelta(days=3)).isoformat(),
    )
    response = client.post(reverse("applications:application_create") + "?kind=termination", data)
    assert response.status_code == 302
    assert Application.objects.get(kind=ApplicationKind.TERMINATION).termination_mode == "destruction"


def test_editing_a_returned_application(wf, client):
    app = advance(wf, new_application(wf), S.RETURNED)
    login(client, wf.applicant)
    page = client.get(reverse("applications:application_edit", kwargs={"pk": app.pk}))
    assert page.status_code == 200 and 'name="items-0-spec_vcpu"' in page.content.decode()
    response = client.post(
        reverse("applications:application_edit", kwargs={"pk": app.pk}),
        form_data(wf, {0: host_fields(1)}, purpose="按中心意见补正"),
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.purpose == "按中心意见补正" and app.items.get().quantity == 1
    detail = client.get(reverse("applications:application_detail", kwargs={"pk": app.pk})).content.decode()
    assert 'data-testid="return-reasons"' in detail and 'data-testid="do-submit"' in detail


def step(client, app, action, text=""):
    return client.post(
        reverse("applications:application_step", kwargs={"pk": app.pk, "action": action}), {"text": text}
    )


def test_the_steps_through_the_pages(wf, client):
    app = new_application(wf)
    login(client, wf.applicant)
    assert step(client, app, "submit").status_code == 302
    login(client, wf.head)
    detail = client.get(reverse("applications:application_detail", kwargs={"pk": app.pk})).content.decode()
    assert 'data-testid="do-sign_off"' in detail and 'data-testid="do-send_back"' in detail
    assert step(client, app, "sign_off", "同意申请").status_code == 302
    login(client, wf.reviewer)
    assert step(client, app, "approve").status_code == 404  # not a text step
    assert step(client, app, "return_for_correction").status_code == 400  # reasons required
    assert step(client, app, "accept").status_code == 302
    login(client, wf.admin)
    detail = client.get(reverse("applications:application_detail", kwargs={"pk": app.pk})).content.decode()
    assert 'data-testid="approve-form"' in detail
    row = app.items.get()
    response = client.post(
        reverse("applications:application_approve", kwargs={"pk": app.pk}),
        {f"i{row.pk}_quantity": 1, f"i{row.pk}_note": "先批一台", "comment": "同意"}
        | {f"i{row.pk}_spec_{k}": v for k, v in HOST_SPEC.items()},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    app.refresh_from_db()
    assert app.state == S.IN_DELIVERY and app.items.get().approved_quantity == 1
    login(client, wf.reviewer)
    assert client.post(reverse("applications:application_approve", kwargs={"pk": app.pk})).status_code == 403
    timeline = client.get(reverse("applications:application_detail", kwargs={"pk": app.pk})).content.decode()
    assert timeline.count('class="gc-timeline-step') >= 5 and 'data-testid="took"' in timeline
    assert "同意申请" in timeline


def test_a_refused_step_shows_why(wf, client):
    app = advance(wf, new_application(wf), S.AWAITING_SIGNOFF)
    login(client, wf.applicant)
    assert step(client, app, "sign_off").status_code == 403
    login(client, wf.b_head)
    assert step(client, app, "sign_off").status_code == 404


def test_documents_are_attached_and_downloaded_with_an_audit_event(wf, client):
    from govcloud.audit.models import AuditEvent

    app = new_application(wf)
    login(client, wf.applicant)
    response = client.post(
        reverse("applications:attachment_upload", kwargs={"pk": app.pk}), {"kind": "stamped_form", "file": pdf()}
    )
    assert response.status_code == 302
    attachment = app.attachments.get()
    download = client.get(reverse("applications:attachment_download", kwargs={"pk": attachment.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="application.attachment_download").count() == 1
    login(client, wf.b_head)
    assert client.get(reverse("applications:attachment_download", kwargs={"pk": attachment.pk})).status_code == 404


def test_the_inbox_puts_the_least_time_left_first_and_highlights_quota(wf, client):
    import time_machine

    from govcloud.applications import services

    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        later = advance(wf, new_application(wf, purpose="较晚提交"), S.SUBMITTED)
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        earlier = advance(wf, new_application(wf, purpose="较早提交"), S.SUBMITTED)
    Quota.objects.create(organization=wf.city.dept_a, vcpu=1)
    over = new_application(wf, purpose="超配额", quota_justification="业务高峰")
    advance(wf, over, S.SUBMITTED)
    services.application_accept(actor=wf.reviewer, application=later)
    login(client, wf.reviewer)
    body = client.get(reverse("applications:inbox")).content.decode()
    order = [body.index(a.number) for a in (earlier, later, over)]
    assert order == sorted(order)
    assert body.count('data-testid="inbox-row" class="table-warning"') == 1
    assert 'data-overdue="true"' in body  # the earlier one is overdue by now
    decide = client.get(reverse("applications:inbox"), {"tab": "decide"}).content.decode()
    assert later.number in decide and earlier.number not in decide
    login(client, wf.applicant)
    assert client.get(reverse("applications:inbox")).status_code == 403


def test_the_department_list_and_the_provider_queue(wf, client):
    app = advance(wf, new_application(wf, purpose="列表测试"), S.IN_DELIVERY)
    new_application(wf, actor=wf.b_applicant, system=wf.b_system, purpose="乙局的申请")
    login(client, wf.applicant)
    body = client.get(reverse("applications:application_list")).content.decode()
    assert app.number in body and "乙局的申请" not in body and 'data-testid="time-left"' in body
    filtered = client.get(reverse("applications:application_list"), {"state": "draft"}).content.decode()
    assert app.number not in filtered
    login(client, wf.provider)
    queue = client.get(reverse("delivery:work_order_list")).content.decode()
    order = WorkOrder.objects.get(application=app)
    assert order.number in queue and 'data-testid="time-left"' in queue


def test_the_provider_completes_through_the_page(wf, client):
    app = advance(wf, new_application(wf), S.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    login(client, wf.provider)
    assert client.post(reverse("delivery:work_order_claim", kwargs={"pk": order.pk})).status_code == 302
    page = client.get(reverse("delivery:work_order_detail", kwargs={"pk": order.pk})).content.decode()
    assert 'data-testid="complete-form"' in page and 'name="r1_spec_vcpu"' in page
    assert (
        client.post(reverse("delivery:work_order_note", kwargs={"pk": order.pk}), {"text": "装机中"}).status_code == 302
    )
    data = {"note": "已交付"}
    for n in range(2):
        data |= {f"r{n}_name": f"web-{n}", f"r{n}_provider_ref": ""}
        data |= {f"r{n}_addr0_network": "extranet", f"r{n}_addr0_address": f"10.2.0.{n + 1}"}
        data |= {f"r{n}_spec_{k}": v for k, v in HOST_SPEC.items()}
    bad = dict(data, r0_spec_vcpu="8")
    assert client.post(reverse("delivery:work_order_complete", kwargs={"pk": order.pk}), bad).status_code == 400
    response = client.post(reverse("delivery:work_order_complete", kwargs={"pk": order.pk}), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    login(client, wf.applicant)
    assert client.post(reverse("delivery:work_order_claim", kwargs={"pk": order.pk})).status_code == 403
    order.refresh_from_db()
    assert order.claimed_by == wf.provider


def test_the_live_estimate_of_a_change_being_edited(wf, client):
    resource = in_service_resource(wf)
    from govcloud.applications import services

    app = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
    )
    login(client, wf.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the estimate's notes are read in English
    data = form_data(wf, {0: {"target_resource": resource.pk, "spec_vcpu": "16"}}, kind="change")
    data.update({f"items-0-spec_{k}": v for k, v in resource.spec.items() if k != "vcpu"})
    alone = client.post(reverse("applications:estimate"), data).content.decode()
    assert "incomplete" in alone  # without saying which application: the resource is taken
    editing = client.post(reverse("applications:estimate"), dict(data, application=app.pk)).content.decode()
    assert "incomplete" not in editing and 'data-testid="estimate-total">¥' in editing
    login(client, wf.b_applicant)
    other = client.post(reverse("applications:estimate"), dict(data, application=app.pk, system=wf.b_system.pk))
    assert other.status_code == 200 and resource.code not in other.content.decode()
