"""The API of security notices, their rectification records, and security events (Art. 16, 17).

Every move of a record is a service call: the service checks the role (403) after the record's
scope (404 for another department's record, as for a missing one), locks the record and writes the
audit event and the timeline entry.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.params import query_params
from govcloud.core.api.routers import UUID
from govcloud.core.permissions import require_role
from govcloud.security import services
from govcloud.security.api import serializers as s
from govcloud.security.api.views import _Base, call, send
from govcloud.security.filters import NoticeRectificationFilter, SecurityEventFilter, SecurityNoticeFilter
from govcloud.security.models import (
    EVENT_RECORDERS,
    NOTICE_ISSUERS,
    NOTICE_RESPONDERS,
    RectificationAction,
    RectificationStatus,
)
from govcloud.security.selectors import events as event_selectors
from govcloud.security.selectors import notices as notice_selectors
from govcloud.security.selectors.calendar import month_start


class SecurityNoticeViewSet(_Base):
    """Security notices (安全通报) the center issues to departments, with the rectification deadline
    in working days. A department sees the notices addressed to it, with its own figures only."""

    queryset = notice_selectors.notice_base()
    serializer_class = s.SecurityNoticeSerializer
    filterset_class = SecurityNoticeFilter

    def get_queryset(self):
        return notice_selectors.with_record_figures(super().get_queryset(), user=self.request.user)

    def fresh(self, obj):
        return self.get_serializer(self.get_queryset().get(pk=obj.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self.fresh(self.get_object()))

    def create(self, request):
        """Issue a notice (the center): one rectification record per addressed department."""
        require_role(request.user, NOTICE_ISSUERS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["attachment"] = data.pop("upload", None)
        notice = call(services.security_notice_issue, actor=request.user, **data)
        return Response(self.fresh(notice), status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.NoticeRectificationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def records(self, request, pk=None):
        """The notice's rectification records the caller sees (the center: every department's)."""
        notice = self.get_object()
        rows = notice_selectors.notice_records(user=request.user, notice=notice).prefetch_related("reports__evidence")
        return Response(s.NoticeRectificationSerializer(rows, many=True).data)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        notice = self.get_object()
        return send(request, notice.attachment, notice)


class NoticeRectificationViewSet(_Base):
    """Each addressed department's rectification record: issued → read → report submitted →
    accepted, or returned to the department; the center may withdraw it."""

    queryset = notice_selectors.rectification_rows().prefetch_related("reports__evidence")
    serializer_class = s.NoticeRectificationSerializer
    filterset_class = NoticeRectificationFilter
    # The services check the role after the record's view scope.
    view_scoped_actions = frozenset({"read", "report", "accept", "return_", "cancel"})

    def _moved(self, record):
        return Response(self.get_serializer(type(self).queryset.get(pk=record.pk)).data)

    @extend_schema(request=None, responses=s.NoticeRectificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Record that the department's responsible person has read the notice."""
        record = self.get_object()
        if record.status == RectificationStatus.ISSUED:
            record = call(services.notice_rectification_read, actor=request.user, rectification=record)
        return self._moved(record)

    @extend_schema(
        request={"multipart/form-data": s.RectificationSubmitSerializer},
        responses={201: s.RectificationReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Submit the rectification report with evidence files (the department's head or security
        officer); a returned record is answered the same way."""
        record = self.get_object()
        # The role before the body: anyone else gets 403 whatever they send.
        require_role(request.user, NOTICE_RESPONDERS)
        serializer = s.RectificationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = call(
            services.notice_rectification_submit,
            actor=request.user,
            rectification=record,
            **serializer.validated_data,
        )
        return Response(s.RectificationReportSerializer(report).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decision, body):
        record = self.get_object()
        serializer = body(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = call(
            services.notice_rectification_transition,
            actor=request.user,
            rectification=record,
            action=decision,
            comment=serializer.validated_data.get("comment", ""),
        )
        return self._moved(record)

    @extend_schema(request=s.CommentSerializer, responses=s.NoticeRectificationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the submitted report (the center)."""
        return self._decide(request, RectificationAction.ACCEPT, s.CommentSerializer)

    @extend_schema(request=s.RequiredCommentSerializer, responses=s.NoticeRectificationSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return the report to the department with what is missing (the center)."""
        return self._decide(request, RectificationAction.RETURN, s.RequiredCommentSerializer)

    @extend_schema(request=s.RequiredCommentSerializer, responses=s.NoticeRectificationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw the notice for this department, with the reason (the center)."""
        return self._decide(request, RectificationAction.CANCEL, s.RequiredCommentSerializer)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"], url_path=f"evidence/<{UUID}:evidence_id>")
    def evidence(self, request, pk=None, evidence_id=None):
        """Download an evidence file of one of the record's reports."""
        record = self.get_object()
        attachment = notice_selectors.evidence_get(rectification=record, attachment_id=evidence_id)
        return send(request, attachment, record)


class SecurityEventViewSet(mixins.UpdateModelMixin, _Base):
    """Security events recorded by the provider and the center (attacks blocked, vulnerabilities
    found …); a department sees those of its own systems."""

    queryset = event_selectors.security_event_rows()
    serializer_class = s.SecurityEventSerializer
    filterset_class = SecurityEventFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        require_role(request.user, EVENT_RECORDERS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = call(services.security_event_record, actor=request.user, **serializer.validated_data)
        return Response(self.fresh(event), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        event = self.get_object()
        serializer = self.get_serializer(event, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        event = call(services.security_event_update, actor=request.user, event=event, **serializer.validated_data)
        return Response(self.fresh(event))

    @extend_schema(parameters=[s.MonthQuerySerializer], responses=s.EventStatisticsSerializer)
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """The month's events in the caller's scope, by kind and by department."""
        month = query_params(request, s.MonthQuerySerializer).get("month") or month_start(timezone.localdate())
        stats = event_selectors.security_event_statistics(user=request.user, month=month)
        return Response(s.EventStatisticsSerializer(stats).data)
