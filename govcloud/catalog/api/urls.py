"""The catalog app's API routes; govcloud/api.py calls register()."""

from govcloud.catalog.api.views import CatalogItemViewSet, PriceListViewSet


def register(router) -> None:
    router.register("catalog-items", CatalogItemViewSet, basename="catalog-item")
    router.register("price-lists", PriceListViewSet, basename="price-list")
