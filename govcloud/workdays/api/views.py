from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.params import query_params
from govcloud.workdays import selectors, services
from govcloud.workdays.api.serializers import (
    CalendarYearSerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
    NoticeSerializer,
)
from govcloud.workdays.models import CalendarYear, DayKind


class CalendarYearViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Announced years with their holidays and adjusted working days (public within the platform).
    POST records a year's State Council notice (center admin)."""

    queryset = CalendarYear.objects.prefetch_related("days").order_by("year")
    serializer_class = CalendarYearSerializer
    lookup_field = "year"
    pagination_class = None

    @extend_schema(request=NoticeSerializer, responses={201: CalendarYearSerializer})
    def create(self, request):
        serializer = NoticeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            record = services.calendar_year_set(
                actor=request.user,
                year=data["year"],
                notice_reference=data["notice_reference"],
                entries=[services.DayEntry(d["date"], DayKind(d["kind"]), d["name"]) for d in data["days"]],
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(
            CalendarYearSerializer(self.get_queryset().get(pk=record.pk)).data, status=status.HTTP_201_CREATED
        )


class DeadlineView(APIView):
    @extend_schema(parameters=[DeadlineQuerySerializer], responses=DeadlineSerializer)
    def get(self, request):
        """The deadline `working_days` working days after `start` (Art. 10 rule: the start day is not
        counted; the deadline is the close of office hours). `provisional` when a year involved has
        no announced notice."""
        query = query_params(request, DeadlineQuerySerializer)
        start, days = query["start"], query["working_days"]
        deadline = selectors.deadline_from(start, days)
        return Response(
            {"start": start, "working_days": days, "due": deadline.due, "provisional": deadline.provisional}
        )
