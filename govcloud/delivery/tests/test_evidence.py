"""Art. 18 at termination: a termination work order completes only with the evidence of the data's
handling — the destruction certificate (uploaded) or the handover record — and the department's
confirmation of it; both appear on the order, the application's timeline, the resource's history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from govcloud.applications import services as app_services
from govcloud.applications.models import ApplicationEvent, ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import PDF, advance, api_for, in_service_resource, new_application
from govcloud.audit.models import AuditEvent
from govcloud.core.errors import StateConflict
from govcloud.delivery import evidence, services
from govcloud.delivery.models import EvidenceState, NoteKind, TerminationEvidence, WorkOrder, WorkOrderState
from govcloud.ledger.models import HistoryKind, ResourceState
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db
S = ApplicationState


def pdf(name="certificate.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def termination(wf, mode="destruction"):
    resource = in_service_resource(wf)
    app = new_application(
        wf,
        kind=ApplicationKind.TERMINATION,
        rows=[app_services.ItemInput(target_resource=resource)],
        termination_mode=mode,
        termination_date=date.today(),
    )
    app = advance(wf, app, S.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    services.work_order_claim(actor=wf.provider, work_order=order)
    return order, resource


def test_a_destruction_needs_the_certificate_file_and_the_departments_confirmation(wf):
    order, resource = termination(wf)
    with pytest.raises(StateConflict):
        services.work_order_complete(actor=wf.provider, work_order=order, note="销毁完毕")
    with pytest.raises(ValidationError) as info:
        evidence.termination_evidence_submit(actor=wf.provider, work_order=order, statement="已销毁")
    assert "document" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        evidence.termination_evidence_submit(
            actor=wf.provider,
            work_order=order,
            statement="已销毁",
            upload=SimpleUploadedFile("c.pdf", b"not a pdf at all"),
        )
    assert "document" in info.value.message_dict
    assert not TerminationEvidence.objects.exists()

    record = evidence.termination_evidence_submit(
        actor=wf.provider, work_order=order, statement="磁盘三遍覆写，销毁证明 XH-2026-007", upload=pdf()
    )
    assert record.state == EvidenceState.SUBMITTED and record.has_file and len(record.sm3) == 64
    assert Notification.objects.filter(recipient=wf.head, link__endswith=f"/{order.pk}/").exists()
    with pytest.raises(StateConflict):  # already with the department
        evidence.termination_evidence_submit(actor=wf.provider, work_order=order, statement="again", upload=pdf())
    # Not the provider's to confirm; not another department's.
    with pytest.raises(PermissionDenied):
        evidence.termination_evidence_confirm(actor=wf.provider, work_order=order)
    with pytest.raises(Http404):
        evidence.termination_evidence_confirm(actor=wf.b_head, work_order=order)
    order.refresh_from_db()
    assert order.state == WorkOrderState.CLAIMED

    order = evidence.termination_evidence_confirm(actor=wf.security, work_order=order, comment="证明已核对")
    assert order.state == WorkOrderState.COMPLETED
    resource.refresh_from_db()
    assert resource.state == ResourceState.TERMINATED
    history = resource.history.get(kind=HistoryKind.TERMINATED).note
    assert "XH-2026-007" in history and "certificate.pdf" in history and wf.security.full_name in history
    app = order.application
    app.refresh_from_db()
    assert app.state == S.COMPLETED
    timeline = " ".join(ApplicationEvent.objects.filter(application=app).values_list("comment", flat=True))
    assert "XH-2026-007" in timeline and "证明已核对" in timeline
    kinds = list(order.notes.values_list("kind", flat=True))
    assert NoteKind.EVIDENCE_SUBMITTED in kinds and NoteKind.EVIDENCE_CONFIRMED in kinds
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"work_order.evidence_submit", "work_order.evidence_confirm", "work_order.complete"} <= actions
    with pytest.raises(StateConflict):
        evidence.termination_evidence_confirm(actor=wf.head, work_order=order)


def test_a_rejected_certificate_is_submitted_again(wf):
    order, resource = termination(wf)
    evidence.termination_evidence_submit(actor=wf.provider, work_order=order, statement="见附件", upload=pdf("a.pdf"))
    with pytest.raises(ValidationError):
        evidence.termination_evidence_reject(actor=wf.head, work_order=order, comment=" ")
    record = evidence.termination_evidence_reject(actor=wf.head, work_order=order, comment="证明未盖章")
    assert record.state == EvidenceState.REJECTED
    assert Notification.objects.filter(recipient=wf.provider, body__contains="证明未盖章").exists()
    with pytest.raises(StateConflict):
        evidence.termination_evidence_confirm(actor=wf.head, work_order=order)
    record = evidence.termination_evidence_submit(
        actor=wf.provider, work_order=order, statement="已盖章", upload=pdf("b.pdf")
    )
    assert record.state == EvidenceState.SUBMITTED and record.original_name == "b.pdf" and not record.decided_at
    evidence.termination_evidence_confirm(actor=wf.head, work_order=order)
    resource.refresh_from_db()
    assert resource.state == ResourceState.TERMINATED


def test_a_handover_needs_the_departments_receipt(wf):
    order, resource = termination(wf, mode="handover")
    record = evidence.termination_evidence_submit(
        actor=wf.provider, work_order=order, statement="数据已刻盘移交，交接单 JJ-2026-031"
    )
    assert record.kind == "handover_record" and not record.has_file
    resource.refresh_from_db()
    assert resource.state == ResourceState.IN_SERVICE
    evidence.termination_evidence_confirm(actor=wf.applicant, work_order=order, comment="已收到数据")
    resource.refresh_from_db()
    assert resource.state == ResourceState.TERMINATED
    assert "JJ-2026-031" in resource.history.get(kind=HistoryKind.TERMINATED).note


def test_only_the_operator_holding_the_order_submits(wf):
    order, _resource = termination(wf)
    with pytest.raises(StateConflict):
        evidence.termination_evidence_submit(actor=wf.provider2, work_order=order, statement="x", upload=pdf())
    with pytest.raises(PermissionDenied):
        evidence.termination_evidence_submit(actor=wf.applicant, work_order=order, statement="x", upload=pdf())


def test_the_pages_upload_confirm_and_download(wf, client):
    order, resource = termination(wf)
    url = reverse("delivery:work_order_detail", args=[order.pk])
    client.force_login(wf.provider)
    html = client.get(url).content.decode()
    assert 'data-testid="submit-evidence"' in html and 'data-testid="complete"' not in html
    bad = client.post(reverse("delivery:evidence_submit", args=[order.pk]), {"statement": "已销毁"})
    assert bad.status_code == 400 and not TerminationEvidence.objects.exists()
    response = client.post(
        reverse("delivery:evidence_submit", args=[order.pk]), {"statement": "已销毁", "document": pdf()}
    )
    assert response.status_code == 302
    assert 'data-testid="confirm-evidence"' not in client.get(url).content.decode()
    client.force_login(wf.head)
    html = client.get(url).content.decode()
    assert 'data-testid="confirm-evidence"' in html and "certificate.pdf" in html
    download = client.get(reverse("delivery:evidence_file", args=[order.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="work_order.evidence_download").exists()
    response = client.post(reverse("delivery:evidence_confirm", args=[order.pk]), {"comment": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED
    client.force_login(wf.b_head)
    assert client.get(reverse("delivery:evidence_file", args=[order.pk])).status_code == 404
    # The resource's page shows the evidence in its history.
    client.force_login(wf.head)
    html = client.get(reverse("ledger:resource_detail", args=[resource.pk])).content.decode()
    assert "certificate.pdf" in html


def test_the_api_submits_confirms_and_refuses(wf):
    order, _resource = termination(wf)
    base = f"/api/v1/work-orders/{order.pk}"
    provider = api_for(wf.provider)
    assert provider.post(f"{base}/evidence/", {"statement": "已销毁"}, format="multipart").status_code == 400
    response = provider.post(f"{base}/evidence/", {"statement": "已销毁", "document": pdf()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["evidence"]["state"] == "submitted"
    assert provider.post(f"{base}/evidence/confirm/", {}, format="json").status_code == 403
    assert api_for(wf.b_head).post(f"{base}/evidence/confirm/", {}, format="json").status_code == 404
    assert api_for(wf.b_head).get(f"{base}/evidence/file/").status_code == 404
    head = api_for(wf.head)
    assert head.get(f"{base}/evidence/file/").status_code == 200
    assert head.post(f"{base}/evidence/reject/", {"comment": ""}, format="json").status_code == 400
    response = head.post(f"{base}/evidence/confirm/", {"comment": "核对无误"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "completed" and body["evidence"]["state"] == "confirmed"
    assert head.post(f"{base}/evidence/confirm/", {}, format="json").status_code == 409


def test_the_application_form_shows_the_certificate_and_the_confirmation(wf):
    from govcloud.applications.documents import content, render
    from govcloud.applications.documents.tests.test_documents import pdf_text

    order, _resource = termination(wf)
    evidence.termination_evidence_submit(
        actor=wf.provider, work_order=order, statement="销毁证明 XH-2026-009", upload=pdf("xh-009.pdf")
    )
    app = order.application
    fields = {f.label.split(" ")[-1]: f.value for f in content.application_content(app, reveal_phone=False).extra}
    assert "XH-2026-009" in fields["数据销毁证明"] and "xh-009.pdf" in fields["数据销毁证明"]
    assert fields["使用单位确认"] == "待使用单位确认"
    evidence.termination_evidence_confirm(actor=wf.head, work_order=order, comment="核对无误")
    app.refresh_from_db()
    text = pdf_text(render.application_pdf(app))
    assert "数据销毁证明" in text and "XH-2026-009" in text and "已确认" in text and "核对无误" in text
