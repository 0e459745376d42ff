"""The catalog and price list pages: everyone reads them, the center's administrator edits."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conftest import login
from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, PriceList, PriceUnit, SpecOption, SpecRange
from govcloud.catalog.selectors import prices_of
from govcloud.catalog.tests.helpers import price_list_in_effect, seeded
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


@pytest.fixture
def admin(client, city):
    seeded()
    user = city.user(Role.CENTER_ADMIN)
    login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages below are read in English
    return user


def test_everyone_reads_the_catalog(client, city):
    seeded()
    services.item_retire(actor=SYSTEM, item=CatalogItem.objects.get(code="db-sqlserver-2008r2"))
    for role in (Role.DEPARTMENT_APPLICANT, Role.EXPERT, Role.FINANCE_VIEWER):
        login(client, city.user(role))
        html = client.get(reverse("catalog:item_list")).content.decode()
        assert html.count('data-testid="catalog-item"') == 8
        assert html.count('data-testid="retired-item"') == 1
        assert 'data-testid="item-create"' not in html
        host = CatalogItem.objects.get(code="host")
        detail = client.get(reverse("catalog:item_detail", kwargs={"pk": host.pk})).content.decode()
        assert detail.count('data-testid="option"') == 6 + 6 + 2 + 12
        assert 'data-testid="option-add"' not in detail


def test_the_administrator_adds_an_item_with_values_and_a_range(client, admin):
    response = client.post(
        reverse("catalog:item_create"),
        {
            "kind": "database",
            "code": "db-kingbase",
            "name": "云数据库 人大金仓 KingbaseES",
            "engine": "KingbaseES V8",
            "sort": 24,
        },
    )
    item = CatalogItem.objects.get(code="db-kingbase")
    assert response.status_code == 302 and response.url == reverse("catalog:item_detail", kwargs={"pk": item.pk})
    client.post(reverse("catalog:option_add", kwargs={"pk": item.pk}), {"dimension": "vcpu", "value": "4"})
    client.post(reverse("catalog:option_add", kwargs={"pk": item.pk}), {"dimension": "memory_gb", "value": "16"})
    client.post(
        reverse("catalog:range_set", kwargs={"pk": item.pk}),
        {"dimension": "storage_gb", "minimum": "50", "maximum": "2000", "step": "10", "required": "on"},
    )
    assert SpecOption.objects.filter(item=item).count() == 2
    assert SpecRange.objects.get(item=item).maximum == 2000
    # A refused value comes back as a message, nothing saved.
    response = client.post(
        reverse("catalog:option_add", kwargs={"pk": item.pk}), {"dimension": "vcpu", "value": "3.5"}, follow=True
    )
    assert any("whole numbers" in str(m) for m in response.context["messages"])
    # A missing engine is a form error.
    response = client.post(reverse("catalog:item_create"), {"kind": "database", "code": "db-y", "name": "Y", "sort": 1})
    assert response.status_code == 200 and "engine" in response.context["form"].errors


def test_retiring_and_offering_again(client, admin):
    host = CatalogItem.objects.get(code="host")
    option = SpecOption.objects.get(item=host, value="centos-5.8-64")
    client.post(reverse("catalog:option_retire", kwargs={"pk": option.pk}))
    assert SpecOption.objects.get(pk=option.pk).retired_at is not None
    client.post(reverse("catalog:option_reinstate", kwargs={"pk": option.pk}))
    assert SpecOption.objects.get(pk=option.pk).retired_at is None
    client.post(reverse("catalog:item_retire", kwargs={"pk": host.pk}), {"note": "x"})
    assert CatalogItem.objects.get(pk=host.pk).is_retired
    client.post(reverse("catalog:item_reinstate", kwargs={"pk": host.pk}))
    assert not CatalogItem.objects.get(pk=host.pk).is_retired
    response = client.post(reverse("catalog:item_edit", kwargs={"pk": host.pk}), {"name": "云主机", "sort": 5})
    assert response.status_code == 302 and CatalogItem.objects.get(pk=host.pk).sort == 5


def test_departments_cannot_edit(client, city):
    seeded()
    login(client, city.user(Role.DEPARTMENT_HEAD))
    host = CatalogItem.objects.get(code="host")
    option = SpecOption.objects.filter(item=host).first()
    for url, method in [
        (reverse("catalog:item_create"), "get"),
        (reverse("catalog:item_edit", kwargs={"pk": host.pk}), "post"),
        (reverse("catalog:item_retire", kwargs={"pk": host.pk}), "post"),
        (reverse("catalog:option_add", kwargs={"pk": host.pk}), "post"),
        (reverse("catalog:option_retire", kwargs={"pk": option.pk}), "post"),
        (reverse("catalog:range_set", kwargs={"pk": host.pk}), "post"),
        (reverse("catalog:price_list_create"), "get"),
    ]:
        assert getattr(client, method)(url, {"name": "x", "dimension": "vcpu", "value": "64"}).status_code == 403, url
    assert not CatalogItem.objects.filter(retired_at__isnull=False).exists()


def test_price_list_pages(client, city, admin):
    with time_machine.travel(datetime(2026, 1, 5, 10, tzinfo=TZ), tick=False):
        current = price_list_in_effect(effective_from=date(2026, 1, 5))
        response = client.post(
            reverse("catalog:price_list_create"), {"name": "2026年2月起价目表", "effective_from": "2026-02-01"}
        )
        draft = PriceList.objects.get(name="2026年2月起价目表")
        assert response.url == reverse("catalog:price_list_detail", kwargs={"pk": draft.pk})
        page = client.get(response.url).content.decode()
        assert page.count('data-testid="price-row"') == 11 and 'name="vcpu_month"' in page
        client.post(
            reverse("catalog:price_list_prices", kwargs={"pk": draft.pk}), {"vcpu_month": "50", "memory_gb_month": ""}
        )
        assert prices_of(draft)[(PriceUnit.VCPU_MONTH, None)] == 50
        page = client.get(reverse("catalog:price_list_detail", kwargs={"pk": draft.pk})).content.decode()
        assert "+5 (+11.1%)" in page
        client.post(reverse("catalog:price_list_publish", kwargs={"pk": draft.pk}))
        assert PriceList.objects.get(pk=draft.pk).published_at is not None
        # The version in effect shows no inputs, and its prices cannot be posted.
        page = client.get(reverse("catalog:price_list_detail", kwargs={"pk": current.pk})).content.decode()
        assert 'name="vcpu_month"' not in page
        response = client.post(
            reverse("catalog:price_list_prices", kwargs={"pk": current.pk}), {"vcpu_month": "1"}, follow=True
        )
        assert any("never edited" in str(m) for m in response.context["messages"])
        assert prices_of(current)[(PriceUnit.VCPU_MONTH, None)] == 45
        listing = client.get(reverse("catalog:price_list_list")).content.decode()
        assert 'data-status="in_effect"' in listing and 'data-status="scheduled"' in listing


def test_drafts_are_the_centers(client, city, admin):
    with time_machine.travel(datetime(2026, 1, 5, 10, tzinfo=TZ), tick=False):
        draft = services.price_list_create_draft(actor=SYSTEM, name="内部草稿", effective_from=date(2026, 2, 1))
        login(client, city.user(Role.DEPARTMENT_APPLICANT))
        assert "内部草稿" not in client.get(reverse("catalog:price_list_list")).content.decode()
        assert client.get(reverse("catalog:price_list_detail", kwargs={"pk": draft.pk})).status_code == 404
        login(client, admin)
        client.post(reverse("catalog:price_list_discard", kwargs={"pk": draft.pk}))
        assert not PriceList.objects.exists()
