"""The provider assessment API (/api/v1/): the same selectors and services as the pages. The center
and the leading group read every assessment, the provider its own; departments get 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.assessment import selectors, services, surveys
from govcloud.assessment.api import serializers as s
from govcloud.assessment.models import Assessment, AssessmentScheme, SurveyRound
from govcloud.core.api.errors import as_drf_error


def call(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Assessments of the cloud provider (Art. 5, 20): every indicator with its formula, figures,
    evidence ids and score; the provider comments on an indicator within the comment period; the
    center adjusts a score with a reason and finalizes."""

    queryset = Assessment.objects.none()
    serializer_class = s.AssessmentSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.assessment_list(user=self.request.user)

    def get_object(self):
        return selectors.assessment_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return s.AssessmentDetailSerializer if self.action != "list" else s.AssessmentSerializer

    def _fresh(self, assessment):
        a = Assessment.objects.select_related("scheme").prefetch_related("results", "entries").get(pk=assessment.pk)
        return s.AssessmentDetailSerializer(a, context=self.get_serializer_context()).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._fresh(self.get_object()))

    @extend_schema(request=s.AssessmentRunSerializer, responses={201: s.AssessmentDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Run an assessment with the current scheme (the center)."""
        if not selectors.can_view(request.user):
            raise PermissionDenied
        body = s.AssessmentRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scheme = selectors.scheme_current(user=request.user)
        if scheme is None:
            raise as_drf_error(DjangoValidationError("No assessment scheme yet."))
        a = call(services.assessment_run, actor=request.user, scheme=scheme, **body.validated_data)
        return Response(self._fresh(a), status=status.HTTP_201_CREATED)

    def _act(self, request, service, body=None):
        assessment = self.get_object()
        data = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        call(service, actor=request.user, assessment=assessment, **data)
        return Response(self._fresh(assessment))

    @extend_schema(request=s.AssessmentDisputeSerializer, responses=s.AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """Comment on or dispute one indicator (the provider, within the comment period)."""
        return self._act(request, services.assessment_dispute, s.AssessmentDisputeSerializer)

    @extend_schema(request=s.AssessmentAdjustSerializer, responses=s.AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """Set an indicator's score by hand with a written reason (the center); null undoes it."""
        return self._act(request, services.assessment_adjust, s.AssessmentAdjustSerializer)

    @extend_schema(request=None, responses=s.AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        """Finalize the assessment (the center): nothing changes afterwards."""
        return self._act(request, services.assessment_finalize)


class AssessmentSchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Assessment scheme versions: indicators, weights, scoring rules, period and grade table."""

    queryset = AssessmentScheme.objects.none()
    serializer_class = s.AssessmentSchemeSerializer

    def get_queryset(self):
        return selectors.scheme_list(user=self.request.user)


class SurveyRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Rounds of the departments' satisfaction survey (Art. 6) with their frozen questions and
    response counts. The center opens and closes rounds; a department answers a round once."""

    queryset = SurveyRound.objects.none()
    serializer_class = s.SurveyRoundSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return surveys.round_list(user=self.request.user)

    def get_object(self):
        return surveys.round_get(user=self.request.user, pk=self.kwargs["pk"])

    def _fresh(self, row):
        return s.SurveyRoundSerializer(surveys.round_get(user=self.request.user, pk=row.pk)).data

    @extend_schema(request=s.SurveyRoundOpenSerializer, responses={201: s.SurveyRoundSerializer})
    def create(self, request, *args, **kwargs):
        """Open a round about a period (the center)."""
        body = s.SurveyRoundOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = call(surveys.survey_round_open, actor=request.user, **body.validated_data)
        return Response(self._fresh(row), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SurveyAnswerSerializer, responses={201: s.SurveyResponseSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer the round for your department: a score from 1 to 5 for every question (once)."""
        row = self.get_object()
        body = s.SurveyAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = {a["id"]: (a["score"], a.get("comment", "")) for a in body.validated_data["answers"]}
        response = call(surveys.survey_answer, actor=request.user, survey=row, answers=answers)
        return Response(s.SurveyResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.SurveyRoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the round (the center): no more answers."""
        row = call(surveys.survey_round_close, actor=request.user, survey=self.get_object())
        return Response(self._fresh(row))
