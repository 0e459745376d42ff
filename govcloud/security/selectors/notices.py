"""Reads about security notices and their rectification records; each takes the acting user.

A notice's figures (records, accepted, awaiting review, overdue) count only the records in the
user's scope: the center sees every department's, a department its own — so a department never
learns how many others received the same notice.
"""

from __future__ import annotations

from django.db.models import Count, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.organizations.models import Organization, OrganizationLevel
from govcloud.security.models import (
    AWAITING_DEPARTMENT,
    TENANT_KINDS,
    Attachment,
    NoticeEvent,
    NoticeRectification,
    RectificationReport,
    RectificationStatus,
    SecurityNotice,
)
from govcloud.systems.models import InformationSystem


def _count(queryset: QuerySet):
    """COUNT(*) of `queryset` as a scalar subquery."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def overdue_q(now=None) -> Q:
    """Records whose department still owes a report after the deadline."""
    return Q(status__in=AWAITING_DEPARTMENT, notice__due_at__lte=now or timezone.now())


def notice_base() -> QuerySet[SecurityNotice]:
    return SecurityNotice.objects.select_related("issued_by", "attachment").order_by("-issued_at", "-id")


def with_record_figures(queryset: QuerySet[SecurityNotice], *, user) -> QuerySet[SecurityNotice]:
    """Each notice's figures over the records the user sees (subqueries: one query for a page)."""
    now = timezone.now()
    records = NoticeRectification.objects.restrict(user).filter(notice=OuterRef("pk"))
    return queryset.annotate(
        record_count=_count(records),
        accepted_count=_count(records.filter(status=RectificationStatus.ACCEPTED)),
        review_count=_count(records.filter(status=RectificationStatus.SUBMITTED)),
        overdue_count=_count(records.filter(status__in=AWAITING_DEPARTMENT, notice__due_at__lte=now)),
    )


def notice_rows(*, user) -> QuerySet[SecurityNotice]:
    """Notices with the figures of the records the user sees; restrict before use."""
    return with_record_figures(notice_base(), user=user)


def notices_for(*, user, action: str = Action.VIEW) -> QuerySet[SecurityNotice]:
    return notice_rows(user=user).restrict(user, action)


def notice_get(*, user, pk, action: str = Action.VIEW) -> SecurityNotice:
    return get_scoped_or_404(notice_rows(user=user), user, action, pk=pk)


def rectification_rows() -> QuerySet[NoticeRectification]:
    """Records with what their lists show; restrict before use (see rectifications_for)."""
    return (
        NoticeRectification.objects.select_related("notice", "organization", "read_by")
        .prefetch_related(Prefetch("systems", queryset=InformationSystem.objects.order_by("name")))
        .annotate(report_count=Count("reports", distinct=True))
        .order_by("-notice__issued_at", "notice_id", "organization__path")
    )


def rectifications_for(*, user, action: str = Action.VIEW) -> QuerySet[NoticeRectification]:
    return rectification_rows().restrict(user, action)


def rectification_get(*, user, pk, action: str = Action.VIEW) -> NoticeRectification:
    return get_scoped_or_404(rectification_rows(), user, action, pk=pk)


def notice_records(*, user, notice: SecurityNotice) -> QuerySet[NoticeRectification]:
    """The records of one notice the user sees (the center: every department's)."""
    return rectifications_for(user=user).filter(notice=notice).order_by("organization__path")


def rectification_reports(*, rectification: NoticeRectification) -> QuerySet[RectificationReport]:
    return (
        RectificationReport.objects.filter(rectification=rectification)
        .select_related("submitted_by", "decided_by")
        .prefetch_related("evidence")
        .order_by("-number")
    )


def rectification_timeline(*, rectification: NoticeRectification) -> QuerySet[NoticeEvent]:
    return NoticeEvent.objects.filter(rectification=rectification).order_by("created_at", "id")


def evidence_get(*, rectification: NoticeRectification, attachment_id) -> Attachment:
    """An evidence file of one of the record's reports (the caller has the record in scope): a file
    of another record answers 404 like a missing one."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, rectification_reports__rectification=rectification)
        .distinct()
        .first()
    )
    if attachment is None:
        raise Http404(_("There is no such evidence file."))
    return attachment


def notice_organizations() -> QuerySet[Organization]:
    """The departments a notice may be addressed to."""
    return (
        Organization.objects.filter(is_active=True, kind__in=TENANT_KINDS)
        .exclude(level=OrganizationLevel.CITY)
        .order_by("path")
    )


def notice_systems(*, user) -> QuerySet[InformationSystem]:
    """The registered systems a notice may concern."""
    return (
        InformationSystem.objects.restrict(user)
        .filter(is_active=True, classified=False)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def open_notice_counts(*, user) -> dict[str, int]:
    """How many records in the user's scope wait on the department, on the center, and are overdue."""
    records = NoticeRectification.objects.restrict(user)
    return records.aggregate(
        awaiting=Count("pk", filter=Q(status__in=AWAITING_DEPARTMENT)),
        review=Count("pk", filter=Q(status=RectificationStatus.SUBMITTED)),
        overdue=Count("pk", filter=overdue_q()),
    )
