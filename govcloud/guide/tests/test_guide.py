"""The public service guide (Art. 9): what it shows without signing in, the center's announcements
(services, pages, API), who may manage them, constant queries, nothing from another host."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.catalog.models import CatalogItem
from govcloud.catalog.seed import seed_annex1
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.guide import services
from govcloud.guide.models import Announcement
from govcloud.policies.services import policy_set
from tests.test_pages import external_references
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(city):
    return city.user(Role.CENTER_ADMIN)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The public page ---------------------------------------------------------------------------------


def test_the_guide_needs_no_login_and_is_chinese(client, city):
    seed_annex1()
    page = html(client.get(reverse("guide:index")))
    assert 'lang="zh-hans"' in page
    assert 'data-testid="guide-login"' in page  # a visitor is offered the login, not the shell's menu
    assert 'data-testid="user-menu"' not in page
    assert not external_references(page)


def test_the_catalog_is_shown_with_its_allowed_values(client, city):
    seed_annex1()
    page = html(client.get(reverse("guide:index")))
    for kind in ("host", "database", "storage", "load_balancer", "network_access"):
        assert f'data-testid="catalog-{kind}"' in page
    for value in ("CentOS 7.0 64位", "超高IO (SSD)", "云数据库 Oracle 11g", "七层 (L7)", "0.1–10", "40–500"):
        assert value in page, value


def test_a_retired_item_leaves_the_guide(client, city):
    seed_annex1()
    CatalogItem.objects.filter(code="db-oracle-11g").update(retired_at="2026-01-01T00:00:00Z")
    assert "Oracle 11g" not in html(client.get(reverse("guide:index")))


def test_the_time_limits_are_the_current_policies(client, city, admin):
    page = html(client.get(reverse("guide:index")))
    assert 'data-testid="limit-approval">2<' in page and 'data-testid="limit-test">7<' in page
    policy_set(actor=admin, key="approval_working_days", raw="3")
    policy_set(actor=admin, key="test_period_days", raw="10")
    page = html(client.get(reverse("guide:index")))
    assert 'data-testid="limit-approval">3<' in page and 'data-testid="limit-test">10<' in page


def test_the_process_the_rule_of_annex_1_the_form_and_the_contacts(client, city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.get(reverse("guide:index")))
    for step in ("apply", "accept", "approve", "test", "activate", "change", "terminate"):
        assert f'data-testid="step-{step}"' in page
    assert "address filing" in page and "80 and 443" in page
    assert reverse("documents:blank_docx") in page and reverse("documents:blank_pdf") in page
    assert city.center.name in page and city.center.contact_phone in page
    assert city.dept_a.name not in page  # only the center's contact


def test_a_signed_in_user_sees_the_same_guide_with_a_way_back(client, city):
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    page = html(client.get(reverse("guide:index")))
    assert 'data-testid="guide-login"' not in page and reverse("web:home") in page
    assert 'data-testid="guide-manage-link"' not in page


def test_the_center_admin_finds_the_management_from_the_guide(client, city, admin):
    login(client, admin)
    assert 'data-testid="guide-manage-link"' in html(client.get(reverse("guide:index")))


# --- Announcements: services ---------------------------------------------------------------------------


def test_the_center_admin_drafts_publishes_and_unpublishes(admin):
    a = services.announcement_create(actor=admin, title="  春节期间  运维安排 ", body="正文")
    assert a.title == "春节期间 运维安排" and not a.is_published
    a = services.announcement_publish(actor=admin, announcement=a)
    assert a.is_published
    with pytest.raises(ValidationError):
        services.announcement_publish(actor=admin, announcement=a)
    a = services.announcement_update(actor=admin, announcement=a, body="新正文", pinned=True)
    assert a.pinned and a.body == "新正文"
    a = services.announcement_unpublish(actor=admin, announcement=a)
    assert not a.is_published
    with pytest.raises(ValidationError):
        services.announcement_unpublish(actor=admin, announcement=a)
    actions = list(AuditEvent.objects.filter(object_id=str(a.pk)).order_by("seq").values_list("action", flat=True))
    assert actions == [
        "announcement.create",
        "announcement.publish",
        "announcement.update",
        "announcement.unpublish",
    ]


def test_an_update_that_changes_nothing_records_nothing(admin):
    a = services.announcement_create(actor=admin, title="t", body="b")
    services.announcement_update(actor=admin, announcement=a, title="t", body="b")
    assert not AuditEvent.objects.filter(action="announcement.update").exists()


def test_title_and_text_are_required(admin):
    with pytest.raises(ValidationError) as exc:
        services.announcement_create(actor=admin, title=" ", body="")
    assert set(exc.value.message_dict) == {"title", "body"}
    with pytest.raises(ValidationError):
        services.announcement_create(actor=admin, title="x" * 201, body="b")
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "role",
    [Role.CENTER_REVIEWER, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_APPLICANT, Role.PROVIDER_OPERATOR, Role.SYSTEM_ADMIN],
)
def test_nobody_else_manages_announcements(city, admin, role):
    user = city.user(role)
    with pytest.raises(PermissionDenied):
        services.announcement_create(actor=user, title="t", body="b")
    a = services.announcement_create(actor=admin, title="t", body="b")
    for call in (services.announcement_publish, services.announcement_unpublish):
        with pytest.raises(PermissionDenied):
            call(actor=user, announcement=a)
    with pytest.raises(PermissionDenied):
        services.announcement_update(actor=user, announcement=a, title="x")


def test_the_system_may_publish(city):
    a = services.announcement_create(actor=SYSTEM, title="t", body="b", publish=True)
    assert a.is_published and a.updated_by_name


# --- Announcements: pages ------------------------------------------------------------------------------


def test_published_announcements_are_public_and_drafts_are_not(client, admin):
    draft = services.announcement_create(actor=admin, title="草稿公告", body="草稿正文")
    shown = services.announcement_create(actor=admin, title="已发布公告", body="第一段\n\n第二段", publish=True)
    pinned = services.announcement_create(actor=admin, title="置顶公告", body="b", pinned=True, publish=True)
    index = html(client.get(reverse("guide:index")))
    assert "已发布公告" in index and "草稿公告" not in index
    assert index.index("置顶公告") < index.index("已发布公告")
    listing = html(client.get(reverse("guide:announcement_list")))
    assert "已发布公告" in listing and "草稿公告" not in listing
    assert "第二段" in html(client.get(reverse("guide:announcement_detail", kwargs={"pk": shown.pk})))
    assert client.get(reverse("guide:announcement_detail", kwargs={"pk": draft.pk})).status_code == 404
    assert pinned.pk


def test_a_department_user_cannot_see_a_draft_but_the_center_can(client, city, admin):
    draft = services.announcement_create(actor=admin, title="草稿公告", body="b")
    url = reverse("guide:announcement_detail", kwargs={"pk": draft.pk})
    login(client, city.user(Role.DEPARTMENT_HEAD))
    assert client.get(url).status_code == 404
    login(client, city.user(Role.CENTER_REVIEWER))
    assert "草稿公告" in html(client.get(url))


def test_the_center_admin_manages_through_the_pages(client, admin):
    login(client, admin)
    assert 'data-testid="announcement-table"' in html(client.get(reverse("guide:manage")))
    response = client.post(reverse("guide:announcement_create"), {"title": "系统升级通知", "body": "周六升级"})
    assert response.status_code == 302
    a = Announcement.objects.get()
    assert not a.is_published
    client.post(
        reverse("guide:announcement_edit", kwargs={"pk": a.pk}), {"title": "系统升级通知（更新）", "body": "周日"}
    )
    client.post(reverse("guide:announcement_publish", kwargs={"pk": a.pk}))
    a.refresh_from_db()
    assert a.title == "系统升级通知（更新）" and a.is_published
    client.post(reverse("guide:announcement_unpublish", kwargs={"pk": a.pk}))
    a.refresh_from_db()
    assert not a.is_published


def test_a_bad_form_keeps_what_was_typed(client, admin):
    login(client, admin)
    response = client.post(reverse("guide:announcement_create"), {"title": "只有标题", "body": " "})
    assert response.status_code == 200 and "只有标题" in response.content.decode()
    assert not Announcement.objects.exists()


def test_publishing_twice_is_a_message_not_an_error(client, admin):
    a = services.announcement_create(actor=admin, title="t", body="b", publish=True)
    login(client, admin)
    response = client.post(reverse("guide:announcement_publish", kwargs={"pk": a.pk}), follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()


@pytest.mark.parametrize("role", [Role.DEPARTMENT_HEAD, Role.CENTER_REVIEWER, Role.PROVIDER_OPERATOR])
def test_a_department_cannot_manage_announcements(client, city, admin, role):
    a = services.announcement_create(actor=admin, title="t", body="b")
    login(client, city.user(role))
    for name, method in [
        ("guide:manage", "get"),
        ("guide:announcement_create", "get"),
        ("guide:announcement_create", "post"),
    ]:
        assert getattr(client, method)(reverse(name), {"title": "x", "body": "y"}).status_code == 403, name
    for name in ("guide:announcement_edit", "guide:announcement_publish", "guide:announcement_unpublish"):
        assert client.post(reverse(name, kwargs={"pk": a.pk}), {"title": "x", "body": "y"}).status_code == 403
    a.refresh_from_db()
    assert a.title == "t" and not a.is_published and Announcement.objects.count() == 1


def test_anonymous_is_sent_to_log_in_for_management(client, admin):
    a = services.announcement_create(actor=admin, title="t", body="b")
    for url in (reverse("guide:manage"), reverse("guide:announcement_edit", kwargs={"pk": a.pk})):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(reverse("guide:announcement_publish", kwargs={"pk": a.pk})).status_code == 302
    a.refresh_from_db()
    assert not a.is_published


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_lists_published_announcements_to_anyone(admin):
    services.announcement_create(actor=admin, title="草稿", body="b")
    shown = services.announcement_create(actor=admin, title="公告", body="b", publish=True)
    client = APIClient()
    listed = client.get(reverse("announcement-list"))
    assert listed.status_code == 200
    assert [a["title"] for a in listed.json()["results"]] == ["公告"]
    detail = client.get(reverse("announcement-detail", kwargs={"pk": shown.pk}))
    assert detail.status_code == 200 and set(detail.json()) == {"id", "title", "body", "pinned", "published_at"}


def test_the_api_hides_drafts_even_from_the_center(admin):
    draft = services.announcement_create(actor=admin, title="草稿", body="b")
    client = APIClient()
    client.force_authenticate(admin)
    assert client.get(reverse("announcement-detail", kwargs={"pk": draft.pk})).status_code == 404


def test_the_api_is_read_only(admin):
    client = APIClient()
    client.force_authenticate(admin)
    assert client.post(reverse("announcement-list"), {"title": "x", "body": "y"}, format="json").status_code == 405
    assert not Announcement.objects.exists()


# --- Query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, role",
    [
        ("guide:index", None),
        ("guide:index", Role.DEPARTMENT_APPLICANT),
        ("guide:announcement_list", None),
        ("guide:manage", Role.CENTER_ADMIN),
        ("announcement-list", None),
    ],
)
def test_constant_queries(client, city, admin, name, role):
    seed_annex1()
    if role:
        login(client, city.user(role))
    url = reverse(name)

    def grow(n):
        for i in range(n):
            services.announcement_create(actor=admin, title=f"公告{i}", body="b", publish=bool(i % 2), pinned=i == 0)

    grow(3)
    count(client, url)
    small = count(client, url)
    grow(30)
    large = count(client, url)
    paged = count(client, f"{url}?page_size=200") if name.endswith("-list") else large
    assert small == large == paged <= LIMIT, (small, large, paged)


# --- Demo and audit labels ----------------------------------------------------------------------------


def test_the_demo_is_idempotent(city):
    from govcloud.guide.demo import ANNOUNCEMENTS, load_demo

    load_demo(orgs={}, users={})
    load_demo(orgs={}, users={})
    assert Announcement.objects.filter(published_at__isnull=False).count() == len(ANNOUNCEMENTS)


def test_every_action_has_a_readable_label():
    from govcloud.audit.actions import ACTION_LABELS

    for action in ("create", "update", "publish", "unpublish"):
        assert f"announcement.{action}" in ACTION_LABELS
    for action in ("application_form.download", "notification_preference.update", "notification_email.failed"):
        assert action in ACTION_LABELS
