"""Reads about address filings, port requests and open ports; each takes the acting user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.security.models import (
    AddressFiling,
    FilingEvent,
    OpenPort,
    PortChange,
    PortRequest,
    PortRequestStatus,
)
from govcloud.systems.models import InformationSystem


def filing_rows() -> QuerySet[AddressFiling]:
    """Filings with what their lists show; restrict before use (see filings_for)."""
    return (
        AddressFiling.objects.select_related("system", "organization")
        .annotate(
            open_port_count=Count("open_ports", distinct=True),
            pending_request_count=Count(
                "port_requests", filter=Q(port_requests__status=PortRequestStatus.SUBMITTED), distinct=True
            ),
        )
        .order_by("-created_at", "-id")
    )


def filings_for(*, user, action: str = Action.VIEW) -> QuerySet[AddressFiling]:
    return filing_rows().restrict(user, action)


def filing_get(*, user, pk, action: str = Action.VIEW) -> AddressFiling:
    return get_scoped_or_404(filing_rows().select_related("created_by", "decided_by"), user, action, pk=pk)


def filing_timeline(*, filing: AddressFiling) -> QuerySet[FilingEvent]:
    return FilingEvent.objects.filter(filing=filing).order_by("created_at", "id")


def port_history(*, filing: AddressFiling) -> QuerySet[PortChange]:
    return PortChange.objects.filter(filing=filing).select_related("request").order_by("-occurred_at", "-id")


def filing_open_ports(*, filing: AddressFiling) -> QuerySet[OpenPort]:
    return OpenPort.objects.filter(filing=filing).select_related("request").order_by("port", "protocol")


def port_request_rows() -> QuerySet[PortRequest]:
    return PortRequest.objects.select_related(
        "filing", "filing__system", "organization", "requested_by", "decided_by"
    ).order_by("-created_at", "-id")


def port_requests_for(*, user, action: str = Action.VIEW) -> QuerySet[PortRequest]:
    return port_request_rows().restrict(user, action)


def port_request_get(*, user, pk, action: str = Action.VIEW) -> PortRequest:
    return get_scoped_or_404(port_request_rows(), user, action, pk=pk)


def systems_to_file(*, user) -> QuerySet[InformationSystem]:
    """The user's own internet-facing systems, which need address filings."""
    return (
        InformationSystem.objects.restrict(user, Action.CHANGE)
        .filter(internet_facing=True, classified=False, is_active=True)
        .select_related("organization")
        .order_by("organization__path", "name")
    )
