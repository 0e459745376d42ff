"""REST endpoints of the budgets app: budgets (read within the scope; POST sets a department's
budget for a year — the center's administrator or finance) and the finance overview (read)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from govcloud.budgets import selectors
from govcloud.budgets.api.serializers import BudgetSerializer, FinanceOverviewSerializer, OverviewQuerySerializer
from govcloud.budgets.filters import BudgetFilter
from govcloud.budgets.models import Budget
from govcloud.budgets.services import budget_set
from govcloud.budgets.views import PAGE_ROLES
from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.params import query_params
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role


class BudgetViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Annual cloud-service budgets per department. `?year=` filters. POST sets (creates or
    replaces) a department's budget for a year."""

    queryset = Budget.objects.select_related("organization").order_by("-year", "organization__path")
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    # The service checks the role; creating names an organization, not a visible budget.
    view_scoped_actions = frozenset({"create"})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            budget = budget_set(actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


class FinanceOverviewViewSet(ViewSet):
    """Costs per department by month, quarter or year (Art. 19), with rankings; a department
    sees only its own."""

    @extend_schema(parameters=[OverviewQuerySerializer], responses=FinanceOverviewSerializer)
    def list(self, request):
        require_role(request.user, PAGE_ROLES)
        query = query_params(request, OverviewQuerySerializer)
        overview = selectors.finance_overview(
            user=request.user,
            year=query.get("year") or timezone.localdate().year,
            granularity=query["granularity"],
            resource_kind=query.get("resource_kind") or None,
        )
        return Response(FinanceOverviewSerializer(overview).data)
