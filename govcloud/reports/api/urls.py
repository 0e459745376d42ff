"""The reports app's API routes; govcloud/api.py calls register()."""

from govcloud.reports.api.views import (
    AnalysisReportViewSet,
    ProviderReportViewSet,
    ResourcePoolViewSet,
    UtilizationReportViewSet,
)


def register(router) -> None:
    router.register("reports/utilization", UtilizationReportViewSet, basename="utilization-report")
    router.register("reports/analysis", AnalysisReportViewSet, basename="analysis-report")
    router.register("reports/pools", ResourcePoolViewSet, basename="resource-pool")
    router.register("reports/provider-reports", ProviderReportViewSet, basename="provider-report")
