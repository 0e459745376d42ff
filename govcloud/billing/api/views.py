"""REST endpoints of billing. Statements are read-only (an issued statement has no write endpoint
at all); the center's administrator adjusts a line of an issued statement, which adds a line to
the department's next draft."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from govcloud.billing import selectors
from govcloud.billing.api.serializers import (
    AdjustmentSerializer,
    MonthToDateQuerySerializer,
    MonthToDateSerializer,
    StatementLineSerializer,
    StatementSerializer,
)
from govcloud.billing.models import Statement
from govcloud.billing.services import statement_adjust
from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.params import query_params
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet
from govcloud.organizations.models import Organization


class StatementViewSet(ScopedReadOnlyViewSet):
    """Monthly statements (对账单): one per department and month; drafts until the late-data window
    has passed, then issued and never changed."""

    queryset = Statement.objects.select_related("organization").order_by("-period", "organization__path")
    serializer_class = StatementSerializer

    @extend_schema(responses=StatementLineSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def lines(self, request, pk=None):
        statement = self.get_object()
        return Response(StatementLineSerializer(selectors.statement_lines(statement), many=True).data)

    @extend_schema(request=AdjustmentSerializer, responses=StatementLineSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """Correct a line of this issued statement (center administrator): the adjustment goes on
        the department's next draft statement."""
        statement = self.get_object()
        serializer = AdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = statement.lines.filter(pk=serializer.validated_data["line"]).first()
        if line is None:
            raise Http404
        try:
            adjustment = statement_adjust(
                actor=request.user,
                original_line=line,
                amount=serializer.validated_data["amount"],
                reason=serializer.validated_data["reason"],
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(StatementLineSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[MonthToDateQuerySerializer], responses=MonthToDateSerializer)
    @action(detail=False, methods=["get"], url_path="month-to-date", pagination_class=None)
    def month_to_date(self, request):
        """The cost so far this month and a forecast to month end, live from metering."""
        chosen = query_params(request, MonthToDateQuerySerializer).get("organization")
        organization = request.user.organization if chosen is None else Organization.objects.filter(pk=chosen).first()
        if organization is None:
            raise Http404
        try:
            data = selectors.month_to_date(user=request.user, organization=organization)
        except PermissionDenied:
            # Another department's costs answer like a department that does not exist.
            raise Http404
        return Response(MonthToDateSerializer(data).data)
