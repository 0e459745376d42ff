"""The monitoring app's API routes; govcloud/api.py calls register()."""

from govcloud.monitoring.api.views import (
    AlertRuleViewSet,
    AlertViewSet,
    CollectionRunViewSet,
    ImportBatchViewSet,
    RollupViewSet,
    SampleViewSet,
)


def register(router) -> None:
    router.register("metrics/samples", SampleViewSet, basename="metric-sample")
    router.register("metrics/rollups", RollupViewSet, basename="metric-rollup")
    router.register("monitoring/alerts", AlertViewSet, basename="monitoring-alert")
    router.register("monitoring/alert-rules", AlertRuleViewSet, basename="monitoring-alert-rule")
    router.register("monitoring/imports", ImportBatchViewSet, basename="monitoring-import")
    router.register("monitoring/collection-runs", CollectionRunViewSet, basename="monitoring-collection-run")
