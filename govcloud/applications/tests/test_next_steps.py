"""The application page offers only the steps whose conditions hold for this kind of application,
shows a step that is still blocked disabled with its reason, and says who acts next (issue 16 §4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.applications import services
from govcloud.applications.models import ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import advance, in_service_resource, new_application
from govcloud.catalog.models import Quota

pytestmark = pytest.mark.django_db
S = ApplicationState


def detail(client, app) -> str:
    response = client.get(reverse("applications:application_detail", kwargs={"pk": app.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_delivered_new_application_offers_acceptance_not_confirming_a_change(wf, client):
    app = advance(wf, new_application(wf), S.DELIVERED)
    login(client, wf.applicant)
    body = detail(client, app)
    assert 'data-testid="do-accept_delivery"' in body
    assert 'data-testid="do-confirm_change"' not in body
    assert "确认变更" not in body
    assert "待部门申请人或部门负责人测试验收" in body
    assert set(services.allowed_actions(app, wf.applicant)) == {"accept_delivery", "report_defects"}


def test_a_delivered_change_offers_confirming_it_not_going_into_service(wf, client):
    resource = in_service_resource(wf)
    app = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
    )
    app = advance(wf, app, S.IN_DELIVERY)
    from govcloud.applications.tests.helpers import deliver
    from govcloud.delivery.models import WorkOrder

    for order in WorkOrder.objects.filter(application=app):
        deliver(wf, order)
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    login(client, wf.applicant)
    body = detail(client, app)
    assert 'data-testid="do-confirm_change"' in body
    assert 'data-testid="do-accept_delivery"' not in body and "验收通过并开通" not in body
    assert "待部门申请人或部门负责人测试并确认变更" in body


def test_the_page_says_who_acts_next_at_each_stage(wf, client):
    app = new_application(wf)
    login(client, wf.reviewer)
    expected = {
        S.AWAITING_SIGNOFF: "待部门负责人签批",
        S.SUBMITTED: "待市电子政务中心管理员或市电子政务中心审核员受理",
        S.ACCEPTED: "待市电子政务中心管理员审批",
        S.IN_DELIVERY: "待云服务提供商运维人员交付",
    }
    for state, text in expected.items():
        app = advance(wf, app, state)
        assert text in detail(client, app), state
    app = advance(wf, app, S.IN_SERVICE)
    assert 'data-testid="waiting-on"' not in detail(client, app)


def test_a_step_whose_condition_fails_is_shown_disabled_with_the_reason(wf, client):
    Quota.objects.create(organization=wf.city.dept_a, vcpu=1)
    app = new_application(wf)
    assert app.exceeds_quota
    login(client, wf.applicant)
    body = detail(client, app)
    assert 'data-testid="blocked-submit"' in body
    assert "submit" not in services.allowed_actions(app, wf.applicant)
    # Editing stays possible: that is how the justification gets written.
    assert 'data-testid="edit"' in body
