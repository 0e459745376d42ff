"""REST endpoints of the catalog and the price lists. Everyone signed in reads the catalog and the
published prices (the platform's shared facts); the center's administrator edits them — the
services check the role and the rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.catalog import selectors, services
from govcloud.catalog.api.serializers import (
    CatalogItemSerializer,
    CatalogItemUpdateSerializer,
    CatalogQuerySerializer,
    EstimateRequestSerializer,
    EstimateSerializer,
    OptionAddSerializer,
    PriceComparisonSerializer,
    PriceListCreateSerializer,
    PriceListSerializer,
    PriceListUpdateSerializer,
    PriceSetSerializer,
    RangeSetSerializer,
    RetireSerializer,
    SpecOptionSerializer,
    SpecRangeSerializer,
)
from govcloud.catalog.models import SpecOption
from govcloud.catalog.specs import validate_spec
from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.params import query_params
from govcloud.core.api.routers import ID


def _run(call, *args, **kwargs):
    """A service call, its ValidationError as a DRF 400 with the same messages."""
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


@extend_schema_view(list=extend_schema(parameters=[CatalogQuerySerializer]))
class CatalogItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """The resource catalog (Annex 1, Art. 5): items with their allowed values and ranges. Retired
    items and values are listed, marked, unless `available=true`."""

    serializer_class = CatalogItemSerializer
    lookup_value_converter = ID
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list" and query_params(self.request, CatalogQuerySerializer)["available"]:
            return selectors.items_for_new_applications()
        return selectors.items_with_specs()

    def perform_create(self, serializer):
        item = _run(services.item_create, actor=self.request.user, **serializer.validated_data)
        serializer.instance = selectors.items_with_specs().get(pk=item.pk)

    @extend_schema(request=CatalogItemUpdateSerializer, responses=CatalogItemSerializer)
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        body = CatalogItemUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        _run(services.item_update, actor=request.user, item=item, **body.validated_data)
        return Response(CatalogItemSerializer(selectors.items_with_specs().get(pk=item.pk)).data)

    def _fresh(self, item):
        return Response(CatalogItemSerializer(selectors.items_with_specs().get(pk=item.pk)).data)

    @extend_schema(request=RetireSerializer, responses=CatalogItemSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """No new application may choose the item; resources that have it keep it."""
        item = self.get_object()
        body = RetireSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(services.item_retire, actor=request.user, item=item, note=body.validated_data.get("note", ""))
        return self._fresh(item)

    @extend_schema(request=None, responses=CatalogItemSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        item = self.get_object()
        _run(services.item_reinstate, actor=request.user, item=item)
        return self._fresh(item)

    @extend_schema(request=OptionAddSerializer, responses={201: SpecOptionSerializer})
    @action(detail=True, methods=["post"], url_path="options", url_name="option-add")
    def option_add(self, request, pk=None):
        """Offer a value (an OS image, a memory size); a retired value is offered again."""
        item = self.get_object()
        body = OptionAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        option = _run(services.option_add, actor=request.user, item=item, **body.validated_data)
        return Response(SpecOptionSerializer(option).data, status=status.HTTP_201_CREATED)

    def _option(self, item, option_id) -> SpecOption:
        return get_object_or_404(SpecOption, pk=option_id, item=item)

    @extend_schema(request=None, responses=SpecOptionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=f"options/<{ID}:option_id>/retire",
        url_name="option-retire",
    )
    def option_retire(self, request, pk=None, option_id=None):
        """Retire a value: new applications cannot choose it; resources that have it keep it."""
        option = self._option(self.get_object(), option_id)
        return Response(SpecOptionSerializer(_run(services.option_retire, actor=request.user, option=option)).data)

    @extend_schema(request=None, responses=SpecOptionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=f"options/<{ID}:option_id>/reinstate",
        url_name="option-reinstate",
    )
    def option_reinstate(self, request, pk=None, option_id=None):
        option = self._option(self.get_object(), option_id)
        return Response(SpecOptionSerializer(_run(services.option_reinstate, actor=request.user, option=option)).data)

    @extend_schema(request=RangeSetSerializer, responses=SpecRangeSerializer)
    @action(detail=True, methods=["post"], url_path="ranges", url_name="range-set")
    def range_set(self, request, pk=None):
        """Set the allowed range of a numeric field (disk, storage, bandwidth, addresses)."""
        item = self.get_object()
        body = RangeSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rng = _run(services.range_set, actor=request.user, item=item, **body.validated_data)
        return Response(SpecRangeSerializer(rng).data)

    @extend_schema(request=EstimateRequestSerializer, responses=EstimateSerializer)
    @action(detail=True, methods=["post"])
    def estimate(self, request, pk=None):
        """Check a spec against the catalog (400 naming every wrong field with its allowed values)
        and price it for a month at the prices in effect."""
        item = self.get_object()
        body = EstimateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cleaned = _run(validate_spec, item, body.validated_data["spec"])
        day = body.validated_data.get("on") or timezone.localdate()
        price_list = selectors.price_list_on(day)
        quantity = body.validated_data["quantity"]
        amount = selectors.monthly_estimate(item, cleaned, quantity, prices=selectors.prices_of(price_list))
        data = {
            "spec": cleaned,
            "quantity": quantity,
            "monthly_estimate": amount,
            "price_list": price_list.pk if price_list else None,
        }
        return Response(EstimateSerializer(data).data)


class PriceListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    """Price list versions (价目表, Art. 7, 19). A version in effect is never edited: draft a new one
    (it copies the prices in effect), set its prices, publish it from today or later. Drafts are
    listed for the center only."""

    serializer_class = PriceListSerializer
    lookup_value_converter = ID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.price_lists_for(user=self.request.user).prefetch_related("prices__item")

    def _fresh(self, price_list, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=price_list.pk)
        return Response(PriceListSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=PriceListCreateSerializer, responses={201: PriceListSerializer})
    def create(self, request, *args, **kwargs):
        """Draft a new version from the prices in effect."""
        body = PriceListCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        price_list = _run(services.price_list_create_draft, actor=request.user, **body.validated_data)
        return self._fresh(price_list, status.HTTP_201_CREATED)

    @extend_schema(request=PriceListUpdateSerializer, responses=PriceListSerializer)
    def partial_update(self, request, *args, **kwargs):
        price_list = self.get_object()
        body = PriceListUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        _run(services.price_list_update, actor=request.user, price_list=price_list, **body.validated_data)
        return self._fresh(price_list)

    def destroy(self, request, *args, **kwargs):
        """Delete a draft that was never published."""
        _run(services.price_list_discard, actor=request.user, price_list=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PriceSetSerializer, responses=PriceListSerializer)
    @action(detail=True, methods=["post"])
    def prices(self, request, pk=None):
        """Set one unit's monthly price (database instances per engine: `item`)."""
        price_list = self.get_object()
        body = PriceSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(services.price_set, actor=request.user, price_list=price_list, **body.validated_data)
        return self._fresh(price_list)

    @extend_schema(request=None, responses=PriceListSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the version from its effective date; every unit must be priced."""
        price_list = _run(services.price_list_publish, actor=request.user, price_list=self.get_object())
        return self._fresh(price_list)

    @extend_schema(responses=PriceComparisonSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def compare(self, request, pk=None):
        """Each unit's amount beside the previous published version's."""
        price_list = self.get_object()
        rows = selectors.price_comparison(price_list, selectors.previous_price_list(price_list))
        data = [
            {
                "unit": row.key.unit,
                "item": row.key.item.pk if row.key.item else None,
                "label": row.key.label,
                "amount": row.amount,
                "previous": row.previous,
                "change": row.change,
                "change_percent": row.change_percent,
            }
            for row in rows
        ]
        return Response(PriceComparisonSerializer(data, many=True).data)

    @extend_schema(responses={200: PriceListSerializer, 404: None})
    @action(detail=False, methods=["get"])
    def current(self, request):
        """The version in effect today."""
        price_list = selectors.price_list_on()
        if price_list is None:
            return Response({"detail": _("No price list is in effect.")}, status=status.HTTP_404_NOT_FOUND)
        return self._fresh(price_list)
