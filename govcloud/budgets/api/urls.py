"""The budgets app's API routes; govcloud/api.py calls register()."""

from govcloud.budgets.api.views import BudgetViewSet, FinanceOverviewViewSet


def register(router) -> None:
    router.register("budgets", BudgetViewSet, basename="budget")
    router.register("finance/overview", FinanceOverviewViewSet, basename="finance-overview")
