"""The application form's rules (Art. 8-9): what a department may ask for, checked against the
catalog everywhere; the estimate; the quota; the stamped form."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govcloud.applications import services
from govcloud.applications.models import ApplicationKind, ApplicationState, AttachmentKind
from govcloud.applications.tests.helpers import (
    HOST_SPEC,
    advance,
    host_row,
    in_service_resource,
    item,
    new_application,
    pdf,
    system_for,
)
from govcloud.audit.models import AuditEvent
from govcloud.catalog.models import CatalogItem, Quota, SpecOption
from govcloud.core.policy import Policy
from govcloud.core.roles import Role
from govcloud.policies.services import policy_set
from govcloud.systems.models import InformationSystem

pytestmark = pytest.mark.django_db
S = ApplicationState


def test_a_draft_is_numbered_priced_and_audited(wf):
    app = new_application(
        wf, rows=[host_row(2), services.ItemInput(catalog_item=item("storage"), spec={"storage_tb": "1.5"})]
    )
    assert app.number.startswith(f"SQ-{timezone.localdate().year}-")
    assert app.state == S.DRAFT and app.organization == wf.city.dept_a
    # 2 × (4 vCPU × 50 + 8 GB × 20 + 300 GB SSD × 0.8) + 1.5 TB × 300
    host = Decimal(4 * 50 + 8 * 20) + Decimal("300") * Decimal("0.8")
    assert app.items.get(catalog_item__code="host").monthly_estimate == 2 * host
    assert app.monthly_estimate == 2 * host + Decimal("450.00")
    assert AuditEvent.objects.filter(action="application.create", object_id=str(app.pk)).count() == 1
    assert app.events.get().action == "create"
    second = new_application(wf)
    assert int(second.number.rsplit("-", 1)[1]) == int(app.number.rsplit("-", 1)[1]) + 1


def test_the_estimate_reads_the_prices_once(wf):
    rows = [host_row(1) for _ in range(5)]
    new_application(wf, rows=rows[:1])  # warm the caches (roles, policies, calendar)
    with CaptureQueriesContext(connection) as few:
        new_application(wf, rows=rows[:1])
    with CaptureQueriesContext(connection) as many:
        new_application(wf, rows=rows)
    price_queries = [q["sql"] for q in many.captured_queries if 'FROM "catalog_price"' in q["sql"]]
    assert len(price_queries) == 1, price_queries
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    "spec, field, fragment",
    [
        ({"vcpu": 3}, "vcpu", "allowed: 1, 2, 4, 8, 16, 32"),
        ({"memory_gb": 128}, "memory_gb", "allowed: 2, 4, 8, 16, 32, 64"),
        ({"os_image": "windows-xp"}, "os_image", "CentOS 7.0 64位"),
        ({"system_disk_gb": 1000}, "system_disk_gb", "40–500"),
        ({"system_disk_gb": 45}, "system_disk_gb", "steps of 10"),
    ],
)
def test_a_spec_outside_the_catalog_names_the_allowed_values(wf, spec, field, fragment):
    with pytest.raises(ValidationError) as info:
        new_application(wf, rows=[host_row(1, **spec)])
    messages = " ".join(info.value.message_dict["items"])
    assert "Item 1:" in messages and fragment in messages


def test_a_retired_item_or_value_is_refused_for_new_resources(wf):
    SpecOption.objects.filter(item__code="host", dimension="os_image", value="centos-7.0-64").update(
        retired_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="retired"):
        new_application(wf)
    CatalogItem.objects.filter(code="storage").update(retired_at=timezone.now())
    with pytest.raises(ValidationError, match="retired"):
        new_application(wf, rows=[services.ItemInput(catalog_item=item("storage"), spec={"storage_tb": "1"})])


def test_a_submitted_draft_is_checked_again_against_todays_catalog(wf):
    app = new_application(wf)
    SpecOption.objects.filter(item__code="host", dimension="vcpu", value="4").update(retired_at=timezone.now())
    with pytest.raises(ValidationError, match="vCPU: 4 has been retired"):
        services.application_submit(actor=wf.applicant, application=app)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"purpose": ""}, "purpose"),
        ({"environment": "staging"}, "environment"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_name": ""}, "contact_name"),
        ({"requested_date": date(2020, 1, 1)}, "requested_date"),
    ],
)
def test_the_form_fields_are_checked(wf, change, field):
    with pytest.raises(ValidationError) as info:
        new_application(wf, **change)
    assert field in info.value.message_dict


def test_only_own_unclassified_active_systems(wf):
    with pytest.raises(ValidationError) as info:
        new_application(wf, system=wf.b_system)
    assert "own department" in info.value.message_dict["system"][0]
    classified = InformationSystem.objects.create(organization=wf.city.dept_a, name="涉密系统", classified=True)
    with pytest.raises(ValidationError, match="classified"):
        new_application(wf, system=classified)
    retired = system_for(wf.city.dept_a, name="旧系统", is_active=False)
    with pytest.raises(ValidationError, match="retired"):
        new_application(wf, system=retired)


def test_only_the_departments_applicant_or_head_drafts(wf):
    for actor in (wf.security, wf.reviewer, wf.admin, wf.provider):
        with pytest.raises(PermissionDenied):
            new_application(wf, actor=actor)
    assert new_application(wf, actor=wf.head).created_by == wf.head


def test_editing_a_draft_replaces_the_items_and_only_while_editable(wf):
    app = new_application(wf)
    app = services.application_update(actor=wf.applicant, application=app, purpose="改为三台", items=[host_row(3)])
    assert app.items.get().quantity == 3 and app.purpose == "改为三台"
    assert app.events.filter(action="update").exists()
    with pytest.raises(Http404):
        services.application_update(actor=wf.b_applicant, application=app, purpose="乙局篡改")
    services.application_submit(actor=wf.applicant, application=app)
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.application_update(actor=wf.applicant, application=app, purpose="提交后修改")


def test_a_change_names_an_in_service_resource_and_what_changes(wf):
    resource = in_service_resource(wf)
    # Nothing changes: refused.
    with pytest.raises(ValidationError, match="Nothing changes"):
        new_application(wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource)])
    app = new_application(
        wf,
        kind=ApplicationKind.CHANGE,
        rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8, "data_disk_gb": 500})],
    )
    row = app.items.get()
    assert row.current_spec == resource.spec
    assert row.spec == {**resource.spec, "vcpu": 8, "data_disk_gb": 500}
    assert row.catalog_item == resource.catalog_item
    # The same resource in two applications at once: refused.
    with pytest.raises(ValidationError, match="already in another application"):
        new_application(
            wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 16})]
        )
    # A term extension alone is a change.
    services.application_cancel(actor=wf.applicant, application=app)
    extended = new_application(
        wf,
        kind=ApplicationKind.CHANGE,
        rows=[services.ItemInput(target_resource=resource, needed_until=date.today() + timedelta(days=365))],
    )
    assert extended.items.get().spec == resource.spec


def test_a_change_keeps_a_retired_value_it_already_has_but_cannot_choose_one(wf):
    resource = in_service_resource(wf)
    SpecOption.objects.filter(item__code="host", dimension="os_image", value="centos-7.0-64").update(
        retired_at=timezone.now()
    )
    app = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
    )
    assert app.items.get().spec["os_image"] == "centos-7.0-64"
    services.application_cancel(actor=wf.applicant, application=app)
    SpecOption.objects.filter(item__code="host", dimension="os_image", value="ubuntu-14.04-64").update(
        retired_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="retired"):
        new_application(
            wf,
            kind=ApplicationKind.CHANGE,
            rows=[services.ItemInput(target_resource=resource, spec={"os_image": "ubuntu-14.04-64"})],
        )


def test_change_and_termination_refuse_other_departments_and_idle_resources(wf):
    resource = in_service_resource(wf)
    with pytest.raises(ValidationError, match="another organization"):
        new_application(
            wf,
            actor=wf.b_applicant,
            system=wf.b_system,
            kind=ApplicationKind.TERMINATION,
            rows=[services.ItemInput(target_resource=resource)],
            termination_mode="handover",
            termination_date=date.today(),
        )
    fresh = advance(wf, new_application(wf, rows=[host_row(1)]), S.DELIVERED).created_resources.get()
    with pytest.raises(ValidationError, match="not in service"):
        new_application(
            wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=fresh, spec={"vcpu": 8})]
        )


def test_a_termination_says_what_happens_to_the_data_and_when(wf):
    resource = in_service_resource(wf)
    rows = [services.ItemInput(target_resource=resource)]
    with pytest.raises(ValidationError) as info:
        new_application(wf, kind=ApplicationKind.TERMINATION, rows=rows)
    assert {"termination_mode", "termination_date"} <= set(info.value.message_dict)
    app = new_application(
        wf, kind=ApplicationKind.TERMINATION, rows=rows, termination_mode="handover", termination_date=date.today()
    )
    assert app.monthly_estimate == 0 and app.items.get().spec == resource.spec


def test_beyond_the_quota_a_justification_is_required(wf):
    Quota.objects.create(organization=wf.city.dept_a, vcpu=4)
    app = new_application(wf, rows=[host_row(2)])
    assert app.exceeds_quota and app.quota_messages
    with pytest.raises(ValidationError, match="beyond the department's quota"):
        services.application_submit(actor=wf.applicant, application=app)
    services.application_update(
        actor=wf.applicant, application=app, quota_justification="高峰期业务扩容，需临时超配额。"
    )
    app = services.application_submit(actor=wf.applicant, application=app)
    assert app.state == S.AWAITING_SIGNOFF and app.exceeds_quota
    within = new_application(wf, rows=[host_row(1)])
    assert not within.exceeds_quota


def test_a_change_counts_only_what_grows_against_the_quota(wf):
    resource = in_service_resource(wf)  # 4 vCPU in use
    Quota.objects.create(organization=wf.city.dept_a, vcpu=6)
    grow = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
    )
    assert grow.exceeds_quota  # 4 in use + 4 more > 6
    services.application_cancel(actor=wf.applicant, application=grow)
    shrink = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 2})]
    )
    assert not shrink.exceeds_quota


def test_the_stamped_form_is_required_when_the_policy_says_so(wf, settings):
    admin = wf.city.user(Role.CENTER_ADMIN)
    policy_set(actor=admin, key=Policy.STAMPED_FORM_REQUIRED, raw="1")
    app = new_application(wf)
    services.application_submit(actor=wf.applicant, application=app)
    with pytest.raises(ValidationError, match="stamped application form"):
        services.application_sign_off(actor=wf.head, application=app)
    attachment = services.attachment_add(actor=wf.applicant, application=app, upload=pdf())
    assert attachment.kind == AttachmentKind.STAMPED_FORM and attachment.sm3
    assert services.application_sign_off(actor=wf.head, application=app).state == S.SUBMITTED


def test_a_bad_upload_changes_nothing(wf, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    app = new_application(wf)
    with pytest.raises(ValidationError, match="PDF, PNG or JPEG"):
        services.attachment_add(
            actor=wf.applicant,
            application=app,
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00evil", "application/pdf"),
        )
    assert not app.attachments.exists() and not any(tmp_path.rglob("*.*"))
    with pytest.raises(Http404):
        services.attachment_add(actor=wf.b_applicant, application=app, upload=pdf())
    services.attachment_add(actor=wf.applicant, application=app, upload=pdf())
    advance(wf, app, S.SUBMITTED)
    with pytest.raises(ValidationError, match="before the application goes to the center"):
        services.attachment_add(actor=wf.applicant, application=app, upload=pdf())


def test_every_download_is_audited_and_scoped(wf):
    app = new_application(wf)
    attachment = services.attachment_add(actor=wf.applicant, application=app, upload=pdf())
    path = services.attachment_open(actor=wf.reviewer, attachment=attachment)
    assert path.read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="application.attachment_download", actor_id=wf.reviewer.pk).count() == 1
    with pytest.raises(Http404):
        services.attachment_open(actor=wf.b_head, attachment=attachment)


def test_the_host_spec_fixture_is_valid(wf):
    from govcloud.catalog.specs import validate_spec

    assert validate_spec(item("host"), HOST_SPEC) == HOST_SPEC
