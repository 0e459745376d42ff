"""The monitoring app's API routes; govcloud/api.py calls register()."""

from govcloud.monitoring.api.views import RollupViewSet, SampleViewSet


def register(router) -> None:
    router.register("metrics/samples", SampleViewSet, basename="metric-sample")
    router.register("metrics/rollups", RollupViewSet, basename="metric-rollup")
