"""The service desk API (/api/v1/): the same selectors and services as the pages.

Reads go through the scope (a department sees its own incidents; the provider and the center all);
every write calls a service, which checks the role after the scope (404 for another department's
incident, as for a missing one), locks the incident and writes the audit event and the timeline entry.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.routers import UUID
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.core.scoping import get_scoped_or_404
from govcloud.incidents import selectors, services
from govcloud.incidents.api import serializers as s
from govcloud.incidents.filters import IncidentFilter
from govcloud.incidents.models import DESK, REPORTERS, Channel, DutyShift


def call(service, **kwargs):
    """Run a service, turning its ValidationError into DRF's 400 with the same messages."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class IncidentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Incidents (故障): a department reports and follows its own; the provider's engineers and the
    center work them. Clocks run 7×24: respond within the limit (Art. 12: 5 minutes) by claiming
    with a first message; recover within the severity's target."""

    queryset = selectors.incident_rows().prefetch_related("resources", "attachments")
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter
    http_method_names = ["get", "post", "head", "options"]
    # The services check the role after the incident's view scope.
    view_scoped_actions = frozenset(
        {"claim", "message", "start", "recover", "confirm", "reopen", "rate", "merge", "timeline", "attachment"}
    )

    def fresh(self, incident):
        return self.get_serializer(type(self).queryset.get(pk=incident.pk)).data

    def create(self, request):
        """Report a fault (a department; channel "api"). The clock starts now."""
        require_role(request.user, REPORTERS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = call(services.incident_report, actor=request.user, channel=Channel.API, **serializer.validated_data)
        return Response(self.fresh(incident), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.IncidentPhoneCallSerializer, responses={201: s.IncidentSerializer})
    @action(detail=False, methods=["post"], url_path="calls")
    def calls(self, request):
        """Log a phone call (provider staff, the center): the clock starts at the call."""
        require_role(request.user, DESK)
        body = s.IncidentPhoneCallSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        incident = call(services.incident_log_call, actor=request.user, **body.validated_data)
        return Response(self.fresh(incident), status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.IncidentEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        """The incident's timeline: messages, moves, who did what."""
        incident = self.get_object()
        return Response(s.IncidentEntrySerializer(selectors.incident_timeline(incident=incident), many=True).data)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"], url_path=f"attachments/<{UUID}:attachment_id>")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download a file attached to the incident's report or one of its messages."""
        incident = self.get_object()
        file = selectors.attachment_get(incident=incident, attachment_id=attachment_id)
        path = services.incident_attachment_open(actor=request.user, incident=incident, attachment=file)
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=file.original_name, content_type=file.content_type
        )

    def _act(self, request, service, body=None, **extra):
        incident = self.get_object()
        data = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        incident = call(service, actor=request.user, incident=incident, **data, **extra)
        return Response(self.fresh(incident))

    @extend_schema(request=s.IncidentClaimSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim the incident with a first answer to the reporter: the response (an engineer)."""
        return self._act(request, services.incident_claim, s.IncidentClaimSerializer)

    @extend_schema(request=s.IncidentMessageSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        """Write on the timeline (the department or the service desk)."""
        return self._act(request, services.incident_message, s.IncidentMessageSerializer)

    @extend_schema(request=s.IncidentNoteSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start work on a responded incident."""
        return self._act(request, services.incident_start, s.IncidentNoteSerializer)

    @extend_schema(request=s.IncidentRecoverSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def recover(self, request, pk=None):
        """Service is back; the department is asked to confirm."""
        return self._act(request, services.incident_recover, s.IncidentRecoverSerializer)

    @extend_schema(request=s.IncidentCommentSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the recovery (the reporting department): the incident closes."""
        return self._act(request, services.incident_confirm, s.IncidentCommentSerializer)

    @extend_schema(request=s.IncidentReopenSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Say the fault is not gone (the reporting department)."""
        return self._act(request, services.incident_reopen, s.IncidentReopenSerializer)

    @extend_schema(request=s.IncidentRateSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """Rate the handling 1–5 once closed (the reporting department)."""
        return self._act(request, services.incident_rate, s.IncidentRateSerializer)

    @extend_schema(request=s.IncidentMergeSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge a duplicate into the incident being worked (the service desk)."""
        incident = self.get_object()
        body = s.IncidentMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        into = get_scoped_or_404(selectors.incident_rows(), request.user, pk=body.validated_data["into"])
        incident = call(
            services.incident_merge,
            actor=request.user,
            incident=incident,
            into=into,
            comment=body.validated_data["comment"],
        )
        return Response(self.fresh(incident))


class IncidentSeverityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The severity levels the center defines, with their response limits and recovery targets."""

    queryset = selectors.severities()
    serializer_class = s.IncidentSeveritySerializer
    pagination_class = None


class DutyShiftViewSet(mixins.ListModelMixin, GenericViewSet):
    """The duty roster from the shift running now to a week ahead (the service desk)."""

    queryset = DutyShift.objects.none()
    serializer_class = s.IncidentShiftSerializer
    pagination_class = None

    def list(self, request, *args, **kwargs):
        require_role(request.user, DESK)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.shifts()
