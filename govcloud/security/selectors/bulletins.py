"""Reads about security bulletins and who has read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from govcloud.core.actors import actor_roles
from govcloud.core.permissions import require_role
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel
from govcloud.security.models import BulletinReceipt, BulletinStatus, SecurityBulletin
from govcloud.security.selectors.calendar import BulletinDue, bulletin_due, previous_month

READ_STATUS_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR}


def bulletins_for(*, user, action: str = Action.VIEW) -> QuerySet[SecurityBulletin]:
    """Bulletins the user may see; `read_by_me` says whether the user has a receipt, and
    `reader_count` (for the provider and the center) how many people read it."""
    return with_read_state(bulletin_rows().restrict(user, action), user=user)


def bulletin_rows() -> QuerySet[SecurityBulletin]:
    return SecurityBulletin.objects.select_related("attachment", "published_by", "created_by").order_by("-period")


def with_read_state(queryset: QuerySet[SecurityBulletin], *, user) -> QuerySet[SecurityBulletin]:
    queryset = queryset.annotate(
        read_by_me=Exists(BulletinReceipt.objects.filter(bulletin=OuterRef("pk"), reader_id=user.pk))
    )
    if actor_roles(user) & READ_STATUS_VIEWERS:
        queryset = queryset.annotate(reader_count=Count("receipts", distinct=True))
    return queryset


def bulletin_get(*, user, pk, action: str = Action.VIEW) -> SecurityBulletin:
    return get_scoped_or_404(bulletin_rows(), user, action, pk=pk)


@dataclass(frozen=True)
class DepartmentReadStatus:
    organization: Organization
    readers: int
    first_read_at: object

    @property
    def has_read(self) -> bool:
        return self.readers > 0


def bulletin_read_status(*, user, bulletin: SecurityBulletin) -> list[DepartmentReadStatus]:
    """For each tenant organization, how many of its people read the bulletin and when first (one
    query) — the provider's and the center's view."""
    require_role(user, READ_STATUS_VIEWERS)
    receipts = Q(bulletin_receipts__bulletin=bulletin)
    orgs = (
        Organization.objects.filter(kind__in=[OrganizationKind.DEPARTMENT, OrganizationKind.FINANCE], is_active=True)
        .exclude(level=OrganizationLevel.CITY)
        .annotate(
            readers=Count("bulletin_receipts", filter=receipts),
            first_read_at=Min("bulletin_receipts__read_at", filter=receipts),
        )
        .order_by("path")
    )
    return [DepartmentReadStatus(organization=o, readers=o.readers, first_read_at=o.first_read_at) for o in orgs]


def receipt_for(*, user, bulletin: SecurityBulletin) -> BulletinReceipt | None:
    return BulletinReceipt.objects.filter(bulletin=bulletin, reader_id=user.pk).first()


@dataclass(frozen=True)
class BulletinMonthStatus:
    due: BulletinDue
    bulletin: SecurityBulletin | None

    @property
    def period(self) -> date:
        return self.due.period

    @property
    def is_overdue(self) -> bool:
        return self.bulletin is None and timezone.localdate() > self.due.due_on


def bulletin_month_status(period: date | None = None) -> BulletinMonthStatus:
    """Last month's bulletin (or `period`'s): its due day and whether it is published."""
    due = bulletin_due(period or previous_month(timezone.localdate()))
    bulletin = SecurityBulletin.objects.filter(period=due.period, status=BulletinStatus.PUBLISHED).first()
    return BulletinMonthStatus(due=due, bulletin=bulletin)


def unread_count(*, user) -> int:
    if not actor_roles(user) & DEPARTMENT_ROLES:
        return 0
    return SecurityBulletin.objects.filter(status=BulletinStatus.PUBLISHED).exclude(receipts__reader_id=user.pk).count()
