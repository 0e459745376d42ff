from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from govcloud.core.api.errors import as_drf_error
from govcloud.core.policy import Policy
from govcloud.policies import selectors, services
from govcloud.policies.api.serializers import PolicySerializer, PolicyUpdateSerializer


def _as_dict(row) -> dict:
    d = row.definition
    return {
        "key": d.key.value,
        "label": str(d.key.label),
        "kind": d.kind.value,
        "value": row.value,
        "default": row.default,
        "minimum": d.minimum,
        "maximum": d.maximum,
        "source": d.source,
        "editable": row.editable,
    }


KEY = OpenApiParameter("key", str, OpenApiParameter.PATH, enum=Policy.values)


class PolicyViewSet(viewsets.ViewSet):
    """Every number of the regulation and of account security; the right role may change each."""

    lookup_field = "key"
    lookup_value_converter = "slug"

    @extend_schema(responses=PolicySerializer(many=True))
    def list(self, request):
        return Response([_as_dict(r) for r in selectors.policies_for(user=request.user)])

    @extend_schema(parameters=[KEY], responses=PolicySerializer)
    def retrieve(self, request, key=None):
        for row in selectors.policies_for(user=request.user):
            if row.definition.key.value == key:
                return Response(_as_dict(row))
        raise Http404

    @extend_schema(parameters=[KEY], request=PolicyUpdateSerializer, responses=PolicySerializer)
    def partial_update(self, request, key=None):
        if key not in Policy.values:
            raise Http404
        serializer = PolicyUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.policy_set(actor=request.user, key=Policy(key), raw=serializer.validated_data["value"])
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return self.retrieve(request, key=key)
