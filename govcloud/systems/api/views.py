"""REST endpoints of the registry, the MLPS record, attachments, migration figures and the
exemption workflow. Reads follow the scope; writes go through the services, which check the role,
the scope and the rules themselves."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.serializers import JobSerializer
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.organizations.models import User
from govcloud.systems import selectors, services
from govcloud.systems.api.serializers import (
    AssignExpertsSerializer,
    ClassifiedInformationSystemSerializer,
    DecisionSerializer,
    ExemptionCommentSerializer,
    ExemptionSerializer,
    GoLiveClearanceSerializer,
    InformationSystemSerializer,
    MigrationStatsSerializer,
    MlpsAssessmentSerializer,
    MlpsFilingSerializer,
    RectificationCloseSerializer,
    RectificationSerializer,
    SystemAttachmentSerializer,
    SystemExportRequestSerializer,
    VoteSerializer,
)
from govcloud.systems.filters import (
    AssessmentFilter,
    AttachmentFilter,
    ExemptionFilter,
    FilingFilter,
    RectificationFilter,
    SystemFilter,
)
from govcloud.systems.gate import clearance_of
from govcloud.systems.models import (
    ExpertAssignment,
    InformationSystem,
    MigrationExemption,
    MlpsAssessment,
    MlpsFiling,
    Rectification,
    SystemAttachment,
    Vote,
)


def _run(call, *args, **kwargs):
    """A service call, its ValidationError as a DRF 400 with the same messages."""
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class _ScopedBase(ScopedViewSetMixin):
    """Lists and single objects from the app's selectors, with their annotations and prefetches."""

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.base_queryset().restrict(self.request.user, self.scope_action())

    def get_object(self):
        obj = get_scoped_or_404(self.base_queryset(), self.request.user, self.scope_action(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj


def _system_for_change(request, system_id) -> InformationSystem:
    """The system a new record belongs to; another department's answers like a missing one."""
    return get_scoped_or_404(
        InformationSystem.objects.select_related("organization"), request.user, Action.CHANGE, pk=system_id
    )


# A classified system shows its name and flag only, so a system in a response is one of two shapes.
SYSTEM_RESPONSE = PolymorphicProxySerializer(
    component_name="InformationSystemEntry",
    serializers=[InformationSystemSerializer, ClassifiedInformationSystemSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="InformationSystemEntry",
            serializers=[InformationSystemSerializer, ClassifiedInformationSystemSerializer],
            resource_type_field_name=None,
            many=True,
        )
    ),
    retrieve=extend_schema(responses=SYSTEM_RESPONSE),
    create=extend_schema(responses={201: SYSTEM_RESPONSE}),
    partial_update=extend_schema(responses=SYSTEM_RESPONSE),
)
class InformationSystemViewSet(
    _ScopedBase,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """The information system registry (Art. 3, 6, 16). A classified (涉密) system shows and takes
    its name and flag only. `compliance` is the go-live gate's verdict (Art. 11)."""

    queryset = InformationSystem.objects.all()
    serializer_class = InformationSystemSerializer
    filterset_class = SystemFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    view_scoped_actions = frozenset({"export"})

    def base_queryset(self):
        return selectors.with_compliance(
            InformationSystem.objects.select_related("organization").prefetch_related("responsible_people")
        )

    def perform_create(self, serializer):
        instance = _run(services.system_create, actor=self.request.user, **serializer.service_kwargs())
        serializer.instance = self.base_queryset().get(pk=instance.pk)

    def perform_update(self, serializer):
        _run(services.system_update, actor=self.request.user, system=serializer.instance, **serializer.service_kwargs())
        serializer.instance = self.base_queryset().get(pk=serializer.instance.pk)

    @extend_schema(responses=GoLiveClearanceSerializer)
    @action(detail=True, methods=["get"])
    def clearance(self, request, pk=None):
        """The go-live gate (Art. 11): cleared, or every reason why not."""
        verdict = clearance_of(self.get_object(), timezone.localdate())
        return Response({"cleared": verdict.cleared, "reasons": verdict.reasons, "checked_on": verdict.checked_on})

    @extend_schema(responses=MigrationStatsSerializer)
    @action(detail=False, methods=["get"], url_path="migration-stats", url_name="migration-stats")
    def migration_stats(self, request):
        """Per department and city-wide: non-classified systems on the platform, migrating, in their own
        machine room, exempted, and overdue migration plans (Art. 3)."""
        stats = selectors.migration_stats(user=request.user)
        return Response(MigrationStatsSerializer(stats).data)

    @extend_schema(request=SystemExportRequestSerializer, responses={202: JobSerializer}, filters=True)
    @action(detail=False, methods=["post"])
    def export(self, request):
        """Start an XLSX (or CSV) export of the registry and compliance status matching the query
        parameters (a background job; poll /api/v1/jobs/{id}/). The export is an audit event."""
        serializer = SystemExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = _run(
            services.systems_export_start,
            actor=request.user,
            filters=self.checked_filters(),
            fmt=serializer.validated_data["format"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class MlpsFilingViewSet(_ScopedBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Grading and filing records (定级备案, Art. 11). POST JSON, or multipart with a certificate."""

    queryset = MlpsFiling.objects.all()
    serializer_class = MlpsFilingSerializer
    filterset_class = FilingFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def base_queryset(self):
        return MlpsFiling.objects.select_related("system", "system__organization", "recorded_by").prefetch_related(
            "attachments"
        )

    @extend_schema(request=MlpsFilingSerializer, responses={201: MlpsFilingSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = _system_for_change(request, data.pop("system_id"))
        filing = _run(services.filing_record, actor=request.user, system=system, **data)
        body = self.get_serializer(self.base_queryset().get(pk=filing.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class MlpsAssessmentViewSet(_ScopedBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """MLPS assessments (测评, Art. 11); the next due date follows the policy for the level."""

    queryset = MlpsAssessment.objects.all()
    serializer_class = MlpsAssessmentSerializer
    filterset_class = AssessmentFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def base_queryset(self):
        return MlpsAssessment.objects.select_related("system", "system__organization", "recorded_by").prefetch_related(
            "attachments"
        )

    @extend_schema(request=MlpsAssessmentSerializer, responses={201: MlpsAssessmentSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = _system_for_change(request, data.pop("system_id"))
        assessment = _run(services.assessment_record, actor=request.user, system=system, **data)
        body = self.get_serializer(self.base_queryset().get(pk=assessment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class RectificationViewSet(
    _ScopedBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, GenericViewSet
):
    """Rectification items (整改, Art. 11); an open item past its due date blocks go-live."""

    queryset = Rectification.objects.all()
    serializer_class = RectificationSerializer
    filterset_class = RectificationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Rectification.objects.select_related("system", "system__organization", "assessment")

    def _assessment(self, system, assessment_id):
        if assessment_id is None:
            return None
        assessment = system.assessments.filter(pk=assessment_id).first()
        if assessment is None:
            raise as_drf_error(DjangoValidationError({"assessment": _("Choose an assessment of this system.")}))
        return assessment

    @extend_schema(request=RectificationSerializer, responses={201: RectificationSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = _system_for_change(request, data.pop("system_id"))
        assessment = self._assessment(system, data.pop("assessment_id", None))
        item = _run(services.rectification_create, actor=request.user, system=system, assessment=assessment, **data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("system_id", None)
        if "assessment_id" in data:
            data["assessment"] = self._assessment(serializer.instance.system, data.pop("assessment_id"))
        serializer.instance = _run(
            services.rectification_update, actor=self.request.user, rectification=serializer.instance, **data
        )

    @extend_schema(request=RectificationCloseSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Mark the item done, saying how it was resolved."""
        item = self.get_object()
        serializer = RectificationCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = _run(services.rectification_close, actor=request.user, rectification=item, **serializer.validated_data)
        return Response(self.get_serializer(item).data)


class SystemAttachmentViewSet(_ScopedBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Filing certificates, assessment reports and exemption evidence: PDF, PNG or JPEG (checked by
    content), kept outside the web root; each download is an audit event."""

    queryset = SystemAttachment.objects.all()
    serializer_class = SystemAttachmentSerializer
    filterset_class = AttachmentFilter
    parser_classes = [MultiPartParser, FormParser]

    def base_queryset(self):
        return SystemAttachment.objects.select_related("system", "system__organization", "uploaded_by")

    @extend_schema(
        request={"multipart/form-data": SystemAttachmentSerializer}, responses={201: SystemAttachmentSerializer}
    )
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        system = _system_for_change(request, data["system_id"])
        targets = {
            "filing": system.filings.filter(pk=data.get("filing_id")).first() if data.get("filing_id") else None,
            "assessment": system.assessments.filter(pk=data.get("assessment_id")).first()
            if data.get("assessment_id")
            else None,
            "exemption": system.exemptions.filter(pk=data.get("exemption_id")).first()
            if data.get("exemption_id")
            else None,
        }
        attachment = _run(
            services.attachment_add,
            actor=request.user,
            system=system,
            kind=data["kind"],
            upload=data["file"],
            **targets,
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file (an audit event)."""
        attachment = self.get_object()
        path = services.attachment_open(actor=request.user, attachment=attachment)
        response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name)
        response["Content-Type"] = attachment.content_type
        return response


class ExemptionViewSet(
    _ScopedBase,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Migration exemptions (Art. 3): the department drafts and submits; the center assigns experts;
    each expert votes; the center forwards; the leading group decides. Actions answer 404 for a
    request you may not see, 403 for an action your role may not take, 400 for one the state or
    the rules do not allow."""

    queryset = MigrationExemption.objects.all()
    serializer_class = ExemptionSerializer
    filterset_class = ExemptionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    view_scoped_actions = frozenset(
        {"submit", "withdraw", "return_for_correction", "assign_experts", "vote", "forward", "decide"}
    )

    def base_queryset(self):
        return selectors.with_exemption_counts(
            MigrationExemption.objects.select_related(
                "system", "system__organization", "requested_by", "decided_by", "renewal_of"
            ).prefetch_related(
                Prefetch("assignments", queryset=ExpertAssignment.objects.select_related("expert")),
                "events",
                "attachments",
            )
        )

    def _fresh(self, exemption):
        return self.get_serializer(self.base_queryset().get(pk=exemption.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        system = _system_for_change(request, data["system_id"])
        renewal_of = None
        if data.get("renewal_of_id"):
            renewal_of = system.exemptions.filter(pk=data["renewal_of_id"]).first()
            if renewal_of is None:
                raise as_drf_error(DjangoValidationError({"renewal_of": _("Not an exemption of this system.")}))
        exemption = _run(
            services.exemption_create, actor=request.user, system=system, reasons=data["reasons"], renewal_of=renewal_of
        )
        return Response(self._fresh(exemption), status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        reasons = serializer.validated_data.get("reasons", serializer.instance.reasons)
        _run(services.exemption_update, actor=self.request.user, exemption=serializer.instance, reasons=reasons)
        serializer.instance = self.base_queryset().get(pk=serializer.instance.pk)

    def _simple(self, request, service):
        exemption = self.get_object()
        serializer = ExemptionCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(service, actor=request.user, exemption=exemption, comment=serializer.validated_data["comment"])
        return Response(self._fresh(exemption))

    @extend_schema(request=ExemptionCommentSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The department submits its draft to the center."""
        return self._simple(request, services.exemption_submit)

    @extend_schema(request=ExemptionCommentSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The department withdraws its request before the leading group has it."""
        return self._simple(request, services.exemption_withdraw)

    @extend_schema(request=ExemptionCommentSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_correction(self, request, pk=None):
        """The center returns an incomplete request to the department (comment required)."""
        return self._simple(request, services.exemption_return)

    @extend_schema(request=AssignExpertsSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"], url_path="assign-experts", url_name="assign-experts")
    def assign_experts(self, request, pk=None):
        """The center assigns at least the policy's number of experts (user ids with the expert role)."""
        exemption = self.get_object()
        serializer = AssignExpertsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["experts"]
        experts = list(User.objects.filter(pk__in=ids))
        if len(experts) != len(set(ids)):
            raise as_drf_error(DjangoValidationError({"experts": _("Unknown user id.")}))
        _run(
            services.exemption_assign_experts,
            actor=request.user,
            exemption=exemption,
            experts=experts,
            comment=serializer.validated_data["comment"],
        )
        return Response(self._fresh(exemption))

    @extend_schema(request=VoteSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """An assigned expert records their vote and opinion (once)."""
        exemption = self.get_object()
        serializer = VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(services.exemption_vote, actor=request.user, exemption=exemption, **serializer.validated_data)
        return Response(self._fresh(exemption))

    @extend_schema(request=ExemptionCommentSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        """The center forwards the reviewed request to the leading group (all experts must have voted)."""
        return self._simple(request, services.exemption_forward)

    @extend_schema(request=DecisionSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The leading group approves or rejects (a rejection needs a comment)."""
        exemption = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _run(
            services.exemption_decide,
            actor=request.user,
            exemption=exemption,
            approve=serializer.validated_data["decision"] == Vote.APPROVE,
            comment=serializer.validated_data["comment"],
        )
        return Response(self._fresh(exemption))
