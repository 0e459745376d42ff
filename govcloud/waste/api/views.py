"""The waste-control API: rightsizing advice (read; accept or dismiss — the department) and the terms
due soon (read; confirm the drafted termination or extend — the department). A department sees its
own resources'; another department's answers 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.waste import expiry as expiry_services
from govcloud.waste import services
from govcloud.waste.api import serializers as s
from govcloud.waste.filters import AdviceFilter, ExpiryFilter
from govcloud.waste.models import ADVICE_DECIDERS, Expiry, RightsizingAdvice


def call(service, **kwargs):
    """Run a service, turning its ValidationError into DRF's 400 (409 for a state conflict)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class RightsizingAdviceViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Rightsizing advice (规格优化建议, Art. 10, 19): per host or database, the vCPU and memory its
    daily peaks need with the headroom policy, rounded up to catalog sizes, and the monthly saving
    at the price list in effect — with the numbers behind it."""

    queryset = RightsizingAdvice.objects.select_related("resource__organization").order_by("-monthly_saving", "-pk")
    serializer_class = s.RightsizingAdviceSerializer
    filterset_class = AdviceFilter

    def get_serializer_class(self):
        return s.AdviceDetailSerializer if self.action == "retrieve" else s.RightsizingAdviceSerializer

    @extend_schema(request=None, responses={201: s.AcceptResultSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Draft a change application of the resource with the recommended vCPU and memory (the
        department then checks, submits and signs it as any other)."""
        require_role(request.user, ADVICE_DECIDERS)
        advice = self.get_object()
        application = call(services.advice_accept, actor=request.user, advice=advice)
        advice.refresh_from_db()
        body = {"advice": advice, "application": application.pk, "application_number": application.number}
        return Response(s.AcceptResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DismissSerializer, responses={200: s.RightsizingAdviceSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Dismiss the advice with a reason (audited; the center reads the reasons)."""
        require_role(request.user, ADVICE_DECIDERS)
        advice = self.get_object()
        body = s.DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        advice = call(services.advice_dismiss, actor=request.user, advice=advice, **body.validated_data)
        return Response(s.RightsizingAdviceSerializer(advice).data)


class ExpiryViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Terms due soon (到期回收, Art. 19): warnings before a resource's needed-until date, the
    termination the platform drafts on the day, the grace period and the escalation to the center."""

    queryset = Expiry.objects.select_related("resource__organization").order_by("needed_until", "pk")
    serializer_class = s.ExpirySerializer
    filterset_class = ExpiryFilter

    @extend_schema(request=None, responses={200: s.ApplicationRefSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the drafted termination: it is submitted for the department head's sign-off."""
        require_role(request.user, ADVICE_DECIDERS)
        expiry = self.get_object()
        application = call(expiry_services.expiry_confirm, actor=request.user, expiry=expiry)
        return Response({"application": application.pk, "application_number": application.number})

    @extend_schema(request=s.ExtendSerializer, responses={201: s.ApplicationRefSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Draft a change application extending the needed-until date (a drafted termination is
        withdrawn)."""
        require_role(request.user, ADVICE_DECIDERS)
        expiry = self.get_object()
        body = s.ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = call(expiry_services.expiry_extend, actor=request.user, expiry=expiry, **body.validated_data)
        return Response(
            {"application": application.pk, "application_number": application.number}, status=status.HTTP_201_CREATED
        )
