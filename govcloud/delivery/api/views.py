"""REST endpoints of the provider's work orders: the queue, each order with its log, and the claim,
note and complete actions. 404 for an order you may not see, 403 for an action your role may not
take, 400 for one the state or the rules do not allow (with the service's message)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.params import query_params
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.scoping import get_scoped_or_404
from govcloud.delivery import evidence, provisioning, selectors, services
from govcloud.delivery.api.serializers import (
    CompleteRequestSerializer,
    EvidenceDecisionSerializer,
    EvidenceRequestSerializer,
    NoteRequestSerializer,
    QueueQuerySerializer,
    WorkOrderDetailSerializer,
    WorkOrderNoteSerializer,
    WorkOrderSerializer,
)
from govcloud.delivery.models import WorkOrder
from govcloud.delivery.selectors import Queue


def _run(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


@extend_schema_view(list=extend_schema(parameters=[QueueQuerySerializer]))
class WorkOrderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Work orders (工单, Art. 7, 10): one per approved item, due DELIVERY_WORKING_DAYS working days after
    approval; open ones first, the most urgent first."""

    queryset = WorkOrder.objects.all()
    serializer_class = WorkOrderSerializer
    view_scoped_actions = frozenset(
        {"claim", "note", "complete", "retry", "evidence", "evidence_confirm", "evidence_reject", "evidence_file"}
    )

    def get_queryset(self):
        queue = query_params(self.request, QueueQuerySerializer)["queue"] if self.action == "list" else Queue.ALL
        return selectors.work_orders_for(user=self.request.user, queue=queue)

    def get_object(self):
        obj = get_scoped_or_404(
            selectors.work_orders_for(user=self.request.user, queue=Queue.ALL)
            .select_related("evidence")
            .prefetch_related("notes"),
            self.request.user,
            pk=self.kwargs["pk"],
        )
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_class(self):
        return WorkOrderDetailSerializer if self.action != "list" else WorkOrderSerializer

    def _fresh(self, order):
        order = (
            selectors.work_orders_for(user=self.request.user, queue=Queue.ALL)
            .select_related("evidence")
            .prefetch_related("notes")
            .get(pk=order.pk)
        )
        return Response(WorkOrderDetailSerializer(order).data)

    @extend_schema(request=None, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """A provider operator takes the order (or takes it over from a colleague)."""
        order = self.get_object()
        _run(services.work_order_claim, actor=request.user, work_order=order)
        return self._fresh(order)

    @extend_schema(request=NoteRequestSerializer, responses={201: WorkOrderNoteSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        """A progress note (the department and the center read it on the application's timeline)."""
        order = self.get_object()
        serializer = NoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = _run(services.work_order_note, actor=request.user, work_order=order, **serializer.validated_data)
        return Response(WorkOrderNoteSerializer(note).data, status=201)

    @extend_schema(request=CompleteRequestSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record what was delivered (validated against the approved spec and quantity) and write the
        ledger. The last order of an application moves it on (delivered for testing / completed)."""
        order = self.get_object()
        serializer = CompleteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(services.work_order_complete, actor=request.user, work_order=order, **serializer.validated_data)
        return self._fresh(order)

    @extend_schema(request=None, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Put a failed automatic work order back in the platform's queue (provider operators and
        center administrators); the platform carries it out again, exactly once."""
        order = self.get_object()
        _run(provisioning.work_order_retry, actor=request.user, work_order=order)
        return self._fresh(order)

    @extend_schema(request={"multipart/form-data": EvidenceRequestSerializer}, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def evidence(self, request, pk=None):
        """Art. 18: the operator holding a termination order submits how the data was handled — the
        destruction certificate (a file, required) or the handover record (a file optional). The
        order completes once the department confirms it."""
        order = self.get_object()
        serializer = EvidenceRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _run(
            evidence.termination_evidence_submit,
            actor=request.user,
            work_order=order,
            statement=data["statement"],
            upload=data.get("document"),
        )
        return self._fresh(order)

    @extend_schema(request=EvidenceDecisionSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="evidence/confirm", url_name="evidence-confirm")
    def evidence_confirm(self, request, pk=None):
        """The department (applicant, head or security officer) confirms the destruction certificate
        or the receipt of its data; the order completes and the resource's service ends."""
        order = self.get_object()
        serializer = EvidenceDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(evidence.termination_evidence_confirm, actor=request.user, work_order=order, **serializer.validated_data)
        return self._fresh(order)

    @extend_schema(request=EvidenceDecisionSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="evidence/reject", url_name="evidence-reject")
    def evidence_reject(self, request, pk=None):
        """The department does not accept the evidence and says why (a comment is required); the
        provider submits again."""
        order = self.get_object()
        serializer = EvidenceDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(evidence.termination_evidence_reject, actor=request.user, work_order=order, **serializer.validated_data)
        return self._fresh(order)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"], url_path="evidence/file", url_name="evidence-file")
    def evidence_file(self, request, pk=None):
        """The certificate or record file (audited download)."""
        order = self.get_object()
        record, path = evidence.termination_evidence_open(actor=request.user, work_order=order)
        response = FileResponse(path.open("rb"), as_attachment=True, filename=record.original_name)
        response["Content-Type"] = record.content_type
        return response
