"""The list pages' per-row cells computed in one call (issue 19) print exactly what the templates
they replace print: each tag beside the template the detail pages still include, over the shapes a
row can take, in Chinese and in English. A cell that drifts from its template fails here."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from govcloud.applications.models import Application, ApplicationState
from govcloud.delivery.models import WorkOrder, WorkOrderState
from govcloud.ledger.models import Resource, ResourceState

pytestmark = pytest.mark.django_db
LANGUAGES = ["zh-hans", "en"]


def tag(source: str, **context) -> str:
    return Template("{% load gc applications_tags ledger_rows delivery_rows %}" + source).render(Context(context))


def include(name: str, **context) -> str:
    return get_template(name).render(context)


def applications():
    now = timezone.now()
    S = ApplicationState
    yield Application(state=S.DRAFT)
    yield Application(state=S.SUBMITTED, acceptance_due_at=now + timedelta(hours=30), decision_due_at=now)
    yield Application(state=S.SUBMITTED, acceptance_due_at=now + timedelta(hours=2), acceptance_due_provisional=True)
    yield Application(state=S.SUBMITTED, decision_due_at=now - timedelta(days=2, hours=3))  # an older row
    yield Application(state=S.ACCEPTED, decision_due_at=now - timedelta(minutes=5), decision_due_provisional=True)
    yield Application(state=S.IN_DELIVERY, delivery_due_at=now + timedelta(days=3))
    yield Application(state=S.DELIVERED, test_due_at=now + timedelta(days=9))
    yield Application(state=S.IN_SERVICE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_deadline_cell_is_the_deadline_template(language):
    with translation.override(language):
        for application in applications():
            expected = include("applications/_deadline.html", application=application)
            assert tag("{% deadline_cell application %}", application=application) == expected


def resources():
    yield Resource(kind="host", vcpu=4, memory_gb=8, disk_gb=100, os_image="centos-7.0-64")
    host = Resource(kind="host", vcpu=16, memory_gb=64, os_image="kylin-v10", public_addresses=1)
    host.os_label = "银河麒麟 <V10> & 服务器版"
    yield host
    yield Resource(kind="database", vcpu=2, memory_gb=4, disk_gb=500, public_addresses=3)
    yield Resource(kind="host", disk_gb=2000)
    yield Resource(kind="storage", storage_tb=Decimal("1.50"))
    yield Resource(kind="storage", storage_tb=Decimal("2.00"))
    yield Resource(kind="storage", storage_tb=Decimal("0.25"))
    yield Resource(kind="network_access", bandwidth_mbps=100, public_addresses=2)
    yield Resource(kind="load_balancer", spec={"lb_layer": "l7"})
    yield Resource(kind="load_balancer", spec={})
    yield Resource(kind="security")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_spec_summary_is_the_spec_summary_template(language):
    with translation.override(language):
        for r in resources():
            assert tag("{% spec_summary r %}", r=r) == include("ledger/_spec_summary.html", r=r), r.__dict__


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_state_badges_are_their_templates(language):
    with translation.override(language):
        for state in [*ResourceState.values, "unknown"]:
            r = Resource(state=state)
            expected = include("ledger/_state_badge.html", state=r.state, label=r.get_state_display())
            assert tag("{% resource_state_badge r.state r.get_state_display %}", r=r) == expected
        for state in WorkOrderState.values:
            order = WorkOrder(state=state)
            assert tag("{% work_order_state order %}", order=order) == include("delivery/_state.html", order=order)


def test_pk_url_is_reverse():
    names = [
        "applications:application_detail",
        "ledger:resource_detail",
        "delivery:work_order_detail",
        "billing:statement_detail",
    ]
    for name in names:
        for pk in (1, 42, 2147483641, 10**12):
            assert tag("{% pk_url name pk %}", name=name, pk=pk) == tag("{% url name pk %}", name=name, pk=pk)
            assert tag("{% pk_url name pk %}", name=name, pk=pk) == reverse(name, args=[pk])


def test_minute_is_the_date_filter():
    moments = [
        datetime(2026, 12, 31, 16, 5, tzinfo=ZoneInfo("UTC")),  # already the next day in Shanghai
        datetime(2026, 1, 2, 3, 4, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(2026, 6, 30, 23, 59, 59, tzinfo=ZoneInfo("America/New_York")),
        None,
    ]
    for moment in moments:
        expected = tag('{{ moment|date:"Y-m-d H:i" }}', moment=moment)
        assert tag("{{ moment|minute }}", moment=moment) == expected
        assert tag('{{ moment|minute|default:"—" }}', moment=moment) == tag(
            '{{ moment|date:"Y-m-d H:i"|default:"—" }}', moment=moment
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_display_is_get_display(language):
    from govcloud.billing.models import Statement

    fields = [(Application, "kind"), (Application, "environment"), (Application, "state"), (Resource, "network")]
    fields += [(Resource, "state"), (WorkOrder, "kind"), (WorkOrder, "state"), (Statement, "state")]
    with translation.override(language):
        for model, name in fields:
            values = [*(value for value, _label in model._meta.get_field(name).flatchoices), "not_a_choice", ""]
            for value in values:
                obj = model(**{name: value})
                expected = getattr(obj, f"get_{name}_display")()
                shown = tag("{{ obj|display:name }}", obj=obj, name=name)
                assert shown == tag("{{ expected }}", expected=expected)
                assert shown == tag(f"{{{{ obj.get_{name}_display }}}}", obj=obj)


def test_day_is_the_date_filter():
    from datetime import date

    moments = [
        datetime(2026, 12, 31, 16, 5, tzinfo=ZoneInfo("UTC")),  # already the next day in Shanghai
        datetime(2026, 1, 2, 3, 4, tzinfo=ZoneInfo("Asia/Shanghai")),
        date(2026, 2, 28),
        None,
    ]
    for moment in moments:
        assert tag("{{ moment|day }}", moment=moment) == tag('{{ moment|date:"Y-m-d" }}', moment=moment)


def test_fixed_url_is_reverse():
    for name in ("web:home", "organizations:logout", "set_language", "api-docs", "guide:index"):
        assert tag("{% fixed_url name %}", name=name) == reverse(name)
    with translation.override("en"):
        assert tag("{% fixed_url 'web:home' %}") == reverse("web:home")


def rows(template_name: str, page) -> str:
    return tag("{% jinja_rows name page=page %}", name=template_name, page=page)


HOSTILE = '<script>alert("x")</script> & <b>'


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_jinja2_rows_escape_what_they_print(language):
    """The rows of the long lists are Jinja2 templates (govcloud/web/jinja2.py): every value a
    department typed is escaped there as in the Django templates, and the helpers' HTML is not."""
    from govcloud.catalog.models import CatalogItem
    from govcloud.organizations.models import Organization
    from govcloud.systems.models import InformationSystem

    organization = Organization(name=HOSTILE)
    system = InformationSystem(name=HOSTILE)
    application = Application(
        pk=7, number="SQ-1", state=ApplicationState.SUBMITTED, organization=organization, system=system
    )
    application.acceptance_due_at = timezone.now() + timedelta(hours=3)
    application.item_count = 2
    resource = Resource(pk=8, code="R-1", name=HOSTILE, kind="host", state=ResourceState.IN_SERVICE, vcpu=2)
    resource.organization, resource.system, resource.catalog_item = organization, system, CatalogItem(name=HOSTILE)
    with translation.override(language):
        for template_name, page in [
            ("applications/application_rows.html", [application]),
            ("applications/inbox_rows.html", [application]),
            ("ledger/resource_rows.html", [resource]),
        ]:
            html = rows(template_name, page)
            assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in html
            assert 'data-testid="' in html  # the helpers' badges are HTML, not escaped text
        assert tag("{% deadline_cell application %}", application=application) in rows(
            "applications/application_rows.html", [application]
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_jinja2_rows_say_when_there_is_nothing(language):
    with translation.override(language):
        for template_name, words in [
            ("applications/application_rows.html", "No applications match."),
            ("applications/inbox_rows.html", "Nothing awaits the center."),
            ("ledger/resource_rows.html", "No resources match."),
            ("delivery/work_order_rows.html", "No work orders here."),
        ]:
            assert translation.gettext(words) in rows(template_name, [])
