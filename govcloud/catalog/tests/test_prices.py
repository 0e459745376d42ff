"""Price list versions: a version in effect is never edited; a new one is drafted from the current
prices, edited, and published from today or later once every unit is priced. The monthly estimate
is the metered units times the prices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcloud.audit.models import AuditEvent
from govcloud.catalog import selectors, services
from govcloud.catalog.models import CatalogItem, PriceList, PriceUnit
from govcloud.catalog.seed import MEMORY_GB, VCPUS
from govcloud.catalog.selectors import PriceListStatus, monthly_estimate, price_list_on, prices_of
from govcloud.catalog.tests.helpers import AMOUNTS, HOST_SPEC, price_list_in_effect, priced, seeded
from govcloud.core.roles import Role
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
JAN = datetime(2026, 1, 5, 10, 0, tzinfo=TZ)
MAR = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def admin(city):
    seeded()
    return city.user(Role.CENTER_ADMIN)


@pytest.fixture
def current(admin):
    with time_machine.travel(JAN, tick=False):
        return price_list_in_effect(name="2026年价目表", effective_from=date(2026, 1, 1))


def test_a_version_in_effect_is_never_edited(admin, current):
    with time_machine.travel(MAR, tick=False):
        with pytest.raises(ValidationError, match="never edited"):
            services.price_set(actor=admin, price_list=current, unit=PriceUnit.VCPU_MONTH, amount="1")
        with pytest.raises(ValidationError, match="never edited"):
            services.price_list_update(actor=admin, price_list=current, name="改名")
        with pytest.raises(ValidationError, match="never"):
            services.price_list_discard(actor=admin, price_list=current)
    assert prices_of(current)[(PriceUnit.VCPU_MONTH, None)] == AMOUNTS[PriceUnit.VCPU_MONTH]


def test_a_new_version_copies_the_current_prices_and_takes_over_from_its_date(admin, current):
    with time_machine.travel(MAR, tick=False):
        draft = services.price_list_create_draft(actor=admin, name="2026年4月起价目表", effective_from=date(2026, 4, 1))
        assert prices_of(draft) == prices_of(current)
        services.price_set(actor=admin, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount="40.5")
        services.price_set(actor=admin, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount="40.5")  # no change
        assert AuditEvent.objects.filter(action="price.set", object_id=str(draft.pk)).count() == 1
        services.price_list_publish(actor=admin, price_list=draft)
        assert price_list_on() == current
        # Published but not in effect yet: still editable until its day.
        services.price_set(actor=admin, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount="41")
        statuses = selectors.price_list_statuses(PriceList.objects.all())
        assert statuses == {current.pk: PriceListStatus.IN_EFFECT, draft.pk: PriceListStatus.SCHEDULED}
    with time_machine.travel(datetime(2026, 4, 1, 0, 1, tzinfo=TZ), tick=False):
        assert price_list_on() == draft
        assert selectors.price_list_statuses([current])[current.pk] == PriceListStatus.SUPERSEDED
        with pytest.raises(ValidationError, match="never edited"):
            services.price_set(actor=admin, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount="42")
        rows = {r.key.unit: r for r in selectors.price_comparison(draft, selectors.previous_price_list(draft))}
        vcpu = rows[PriceUnit.VCPU_MONTH]
        assert (vcpu.previous, vcpu.amount, vcpu.change, vcpu.change_percent) == (
            Decimal("45"),
            Decimal("41"),
            Decimal("-4"),
            Decimal("-8.9"),
        )
        assert rows[PriceUnit.MEMORY_GB_MONTH].change == 0
    assert price_list_on(date(2026, 3, 31)) == current


def test_publishing_needs_every_unit_and_every_engine_that_can_be_chosen(admin):
    with time_machine.travel(JAN, tick=False):
        draft = services.price_list_create_draft(actor=admin, name="首个价目表", effective_from=date(2026, 1, 10))
        assert not draft.prices.exists()  # nothing to copy yet
        services.price_set(actor=admin, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount="45")
        with pytest.raises(ValidationError) as caught:
            services.price_list_publish(actor=admin, price_list=draft)
        message = caught.value.messages[0]
        assert message.startswith("Price every unit before publishing; missing: per GB memory·month;")
        assert "per database instance·month (by engine): Oracle 11g" in message
        priced(draft)
        oracle = CatalogItem.objects.get(code="db-oracle-11g")
        draft.prices.filter(item=oracle).delete()
        with pytest.raises(ValidationError, match="Oracle 11g"):
            services.price_list_publish(actor=admin, price_list=draft)
        # A retired engine need not be priced (its resources keep the price of earlier versions).
        services.item_retire(actor=admin, item=oracle)
        published = services.price_list_publish(actor=admin, price_list=draft)
        assert published.published_by_name == admin.full_name
        with pytest.raises(ValidationError, match="published already"):
            services.price_list_publish(actor=admin, price_list=draft)
    assert AuditEvent.objects.filter(action="price_list.publish").count() == 1


def test_effective_dates_are_today_or_later_and_unique(admin, current):
    with time_machine.travel(MAR, tick=False):
        with pytest.raises(ValidationError, match="never in the past"):
            services.price_list_create_draft(actor=admin, name="x", effective_from=date(2026, 3, 1))
        draft = services.price_list_create_draft(actor=admin, name="x", effective_from=date(2026, 3, 9))
        with pytest.raises(ValidationError, match="Another version"):
            services.price_list_create_draft(actor=admin, name="y", effective_from=date(2026, 3, 9))
        services.price_list_update(actor=admin, price_list=draft, effective_from=date(2026, 3, 2), note="今日起")
    # The draft's day passed unpublished: it must be re-dated before publishing.
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=TZ), tick=False):
        with pytest.raises(ValidationError, match="never in the past"):
            services.price_list_publish(actor=admin, price_list=draft)
        services.price_list_update(actor=admin, price_list=draft, effective_from=date(2026, 3, 3))
        services.price_list_publish(actor=admin, price_list=draft)
        assert price_list_on() == draft


def test_the_first_rate_card_may_start_earlier_and_no_later_version_may(admin):
    with time_machine.travel(MAR, tick=False):
        first = services.price_list_create_draft(actor=admin, name="原有价目表", effective_from=date(2025, 1, 1))
        services.price_list_publish(actor=admin, price_list=priced(first))
        assert price_list_on() == first
        with pytest.raises(ValidationError, match="never in the past"):
            services.price_list_create_draft(actor=admin, name="补录", effective_from=date(2025, 6, 1))


def test_a_draft_can_be_discarded(admin):
    with time_machine.travel(JAN, tick=False):
        draft = services.price_list_create_draft(actor=admin, name="草稿", effective_from=date(2026, 2, 1))
        services.price_list_discard(actor=admin, price_list=draft)
    assert not PriceList.objects.exists()
    assert AuditEvent.objects.filter(action="price_list.discard").count() == 1


def test_publishing_tells_finance(city, admin):
    finance = city.user(Role.FINANCE_VIEWER)
    with time_machine.travel(JAN, tick=False):
        price_list_in_effect(effective_from=date(2026, 1, 5))
    assert Notification.objects.filter(recipient=finance, kind="price_list.published").count() == 1


@pytest.mark.parametrize("role", [Role.CENTER_REVIEWER, Role.DEPARTMENT_HEAD, Role.FINANCE_VIEWER])
def test_only_the_center_administrator_sets_prices(city, admin, role):
    user = city.user(role)
    with time_machine.travel(JAN, tick=False):
        draft = services.price_list_create_draft(actor=admin, name="草稿", effective_from=date(2026, 2, 1))
        for call in (
            lambda: services.price_list_create_draft(actor=user, name="x", effective_from=date(2026, 2, 2)),
            lambda: services.price_set(actor=user, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount=1),
            lambda: services.price_list_publish(actor=user, price_list=draft),
            lambda: services.price_list_update(actor=user, price_list=draft, name="x"),
            lambda: services.price_list_discard(actor=user, price_list=draft),
        ):
            with pytest.raises(PermissionDenied):
                call()


def test_price_rules(admin):
    with time_machine.travel(JAN, tick=False):
        draft = services.price_list_create_draft(actor=admin, name="草稿", effective_from=date(2026, 2, 1))
        mysql = CatalogItem.objects.get(code="db-mysql-5.6")
        for kwargs, message in [
            ({"unit": PriceUnit.VCPU_MONTH, "amount": "-1"}, "cannot be negative"),
            ({"unit": PriceUnit.VCPU_MONTH, "amount": "1.00001"}, "four decimal places"),
            ({"unit": PriceUnit.VCPU_MONTH, "amount": "abc"}, "Enter a number"),
            ({"unit": "gpu_month", "amount": "1"}, "Unknown price unit"),
            ({"unit": PriceUnit.DATABASE_INSTANCE_MONTH, "amount": "1"}, "names its database engine"),
            ({"unit": PriceUnit.VCPU_MONTH, "amount": "1", "item": mysql}, "Only database instance"),
        ]:
            with pytest.raises(ValidationError, match=message):
                services.price_set(actor=admin, price_list=draft, **kwargs)


# --- The estimate ----------------------------------------------------------------------------------


def test_the_estimate_of_a_host_and_a_database(admin, current):
    host = CatalogItem.objects.prefetch_related("options", "ranges").get(code="host")
    mysql = CatalogItem.objects.get(code="db-mysql-5.6")
    with time_machine.travel(MAR, tick=False):
        # 4 × 45 + 8 × 20 + 250 GB SSD × 1 = 590
        assert monthly_estimate(host, HOST_SPEC) == Decimal("590.00")
        assert monthly_estimate(host, HOST_SPEC, 3) == Decimal("1770.00")
        # 400 instance + 2 × 45 + 4 × 20 + 100 × 1
        assert monthly_estimate(mysql, {"vcpu": 2, "memory_gb": 4, "storage_gb": 100}) == Decimal("670.00")
        assert monthly_estimate(host, HOST_SPEC, on=date(2025, 12, 31)) == Decimal("0.00")


PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
AMOUNT = st.decimals(min_value=0, max_value=10000, places=4, allow_nan=False, allow_infinity=False)


@PROPERTY
@given(
    n=st.integers(0, 1000),
    vcpu=st.sampled_from(VCPUS),
    memory=st.sampled_from(MEMORY_GB),
    system_disk=st.integers(4, 50),
    data_disk=st.integers(0, 1600),
    ssd=st.booleans(),
    amounts=st.fixed_dictionaries(dict.fromkeys(PriceUnit.values, AMOUNT)),
)
def test_the_estimate_of_n_is_n_times_the_estimate_of_one(admin, n, vcpu, memory, system_disk, data_disk, ssd, amounts):
    host = CatalogItem(kind="host", code="h", name="h")
    spec = {
        "vcpu": vcpu,
        "memory_gb": memory,
        "disk_type": "ssd" if ssd else "sata",
        "system_disk_gb": system_disk * 10,
        "data_disk_gb": data_disk * 10,
    }
    prices = {(unit, None): amount for unit, amount in amounts.items()}
    one = monthly_estimate(host, spec, 1, prices=prices)
    many = monthly_estimate(host, spec, n, prices=prices)
    assert one >= 0 and many >= 0
    # Rounding happens once per estimate: at most half a fen each, n times over.
    assert abs(many - n * one) <= Decimal("0.005") * (n + 1)


@PROPERTY
@given(n=st.integers(1, 500), tenths=st.integers(1, 100), amount=AMOUNT)
def test_storage_estimate_scales_and_is_never_negative(admin, n, tenths, amount):
    storage = CatalogItem(kind="storage", code="s", name="s")
    spec = {"storage_tb": str(Decimal(tenths) / 10)}
    prices = {(PriceUnit.STORAGE_TB_MONTH, None): amount}
    one = monthly_estimate(storage, spec, 1, prices=prices)
    many = monthly_estimate(storage, spec, n, prices=prices)
    assert many >= 0
    assert abs(many - n * one) <= Decimal("0.005") * (n + 1)
