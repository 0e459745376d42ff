"""Reads of the service guide. The guide is public (Art. 9: the form and the catalog are on the
platform's website), so the catalog, the time limits, the center's contact and the published
announcements are read without a user; drafts only through the scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.catalog.models import CatalogItem, Dimension, ResourceKind
from govcloud.catalog.selectors import items_for_new_applications
from govcloud.core.policy import Policy, policy_value
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.guide.models import Announcement
from govcloud.organizations.models import Organization, OrganizationKind

# --- Announcements ---------------------------------------------------------------------------------


def published_announcements() -> QuerySet[Announcement]:
    """What the public guide shows: published announcements, pinned first, newest first."""
    return Announcement.objects.filter(published_at__isnull=False, published_at__lte=timezone.now()).order_by(
        "-pinned", "-published_at", "-pk"
    )


def announcement_get(*, user, pk) -> Announcement:
    """A published announcement for anyone; a draft only for those who may see it (the center)."""
    if user is not None and getattr(user, "is_authenticated", False):
        return get_scoped_or_404(Announcement.objects.all(), user, Action.VIEW, pk=pk)
    return get_object_or_404(published_announcements(), pk=pk)


def announcements_to_manage(*, user) -> QuerySet[Announcement]:
    return Announcement.objects.restrict(user, Action.CHANGE).order_by("-pinned", "-updated_at", "-pk")


def announcement_to_change(*, user, pk) -> Announcement:
    return get_scoped_or_404(Announcement.objects.all(), user, Action.CHANGE, pk=pk)


# --- The catalog -------------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass
class SpecLine:
    dimension: str
    label: str | Promise
    values: list[str] = field(default_factory=list)  # allowed values (a choice)
    range_text: str = ""  # "40–500 GB, in steps of 10" (a range)
    optional: bool = False


@dataclass
class ItemEntry:
    item: CatalogItem
    lines: list[SpecLine]


@dataclass
class KindSection:
    kind: str
    label: str | Promise
    items: list[ItemEntry]


def _lines(item: CatalogItem) -> list[SpecLine]:
    by_dimension: dict[str, SpecLine] = {}
    order = list(Dimension.values)
    # The dimension's label carries the unit ("Memory (GB)"), so values are bare numbers.
    for option in item.options.all():
        line = by_dimension.setdefault(option.dimension, SpecLine(option.dimension, Dimension(option.dimension).label))
        line.values.append(option.label or option.value)
    for rng in item.ranges.all():
        text = f"{_number(rng.minimum)}–{_number(rng.maximum)}"
        if rng.step != 1:
            text = _("%(range)s, in steps of %(step)s") % {"range": text, "step": _number(rng.step)}
        by_dimension[rng.dimension] = SpecLine(
            rng.dimension, Dimension(rng.dimension).label, range_text=str(text), optional=not rng.required
        )
    return sorted(by_dimension.values(), key=lambda line: order.index(line.dimension))


def catalog_sections() -> list[KindSection]:
    """The items a department may apply for today, grouped by kind, each with its allowed values
    (three queries)."""
    sections: dict[str, KindSection] = {}
    for item in items_for_new_applications():
        section = sections.setdefault(item.kind, KindSection(item.kind, ResourceKind(item.kind).label, []))
        section.items.append(ItemEntry(item, _lines(item)))
    order = list(ResourceKind.values)
    return sorted(sections.values(), key=lambda s: order.index(s.kind))


# --- The process and its time limits ----------------------------------------------------------------


@dataclass(frozen=True)
class TimeLimits:
    approval_working_days: int
    delivery_working_days: int
    test_period_days: int
    office_hours_end: str
    stamped_form_required: bool


def time_limits() -> TimeLimits:
    """The current values of the Art. 10 deadlines (policies the center may change)."""
    return TimeLimits(
        approval_working_days=int(policy_value(Policy.APPROVAL_WORKING_DAYS)),
        delivery_working_days=int(policy_value(Policy.DELIVERY_WORKING_DAYS)),
        test_period_days=int(policy_value(Policy.TEST_PERIOD_DAYS)),
        office_hours_end=policy_value(Policy.OFFICE_HOURS_END).strftime("%H:%M"),
        stamped_form_required=bool(policy_value(Policy.STAMPED_FORM_REQUIRED)),
    )


@dataclass(frozen=True)
class Step:
    key: str
    name: str | Promise
    who: str | Promise
    what: str | Promise
    limit: str = ""


def process_steps(limits: TimeLimits) -> list[Step]:
    """Art. 8: apply → accept → approve → test → activate → change → terminate."""
    stamped = (
        _("A scan of the form signed and stamped by the department is attached.")
        if limits.stamped_form_required
        else ""
    )
    return [
        Step(
            "apply",
            pgettext_lazy("process step (Art. 8)", "Apply"),
            _("Department"),
            _(
                "Fill in the application form on the platform (or download the blank form below): the information "
                "system, its purpose, the environment, a contact and exactly the resources needed. The department "
                "head signs it off."
            )
            + (f" {stamped}" if stamped else ""),
        ),
        Step(
            "accept",
            pgettext_lazy("process step (Art. 8)", "Accept"),
            _("E-government center"),
            _("The center checks that the application is complete; an incomplete one is returned for correction."),
        ),
        Step(
            "approve",
            pgettext_lazy("process step (Art. 8)", "Approve"),
            _("E-government center"),
            _("The center approves (possibly less than asked, with its reasons) or rejects the application."),
            _("within %(days)s working days of submission (Art. 10)") % {"days": limits.approval_working_days},
        ),
        Step(
            "test",
            pgettext_lazy("process step (Art. 8)", "Test"),
            _("Cloud provider, then department"),
            _(
                "The provider delivers the approved resources; the department tests them and accepts them or "
                "reports what fails."
            ),
            _("delivery within %(delivery)s working days of approval (Art. 10); testing within %(test)s days")
            % {"delivery": limits.delivery_working_days, "test": limits.test_period_days},
        ),
        Step(
            "activate",
            pgettext_lazy("process step (Art. 8)", "Activate"),
            _("E-government center"),
            _(
                "The resources go into service and metering starts. A system goes live only after its MLPS grading "
                "and filing, assessment and rectification (Art. 11), and internet-facing resources after their "
                "address filing."
            ),
        ),
        Step(
            "change",
            pgettext_lazy("process step (Art. 8)", "Change"),
            _("Department"),
            _("Resize, add disks, open ports or extend through a change application, decided like a new one."),
        ),
        Step(
            "terminate",
            pgettext_lazy("process step (Art. 8)", "Terminate"),
            _("Department"),
            _(
                "A termination application ends the service: the data are handed back or destroyed with a "
                "certificate, and metering stops."
            ),
        ),
    ]


# --- Contacts ------------------------------------------------------------------------------------------


def center_contacts() -> QuerySet[Organization]:
    """The e-government center (Art. 5): where departments turn with questions (Art. 13)."""
    return Organization.objects.filter(kind=OrganizationKind.CENTER, is_active=True).order_by("path")
