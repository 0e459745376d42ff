from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.routers import ID
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.identity import services
from govcloud.identity.api.serializers import IdentityLinkRequestSerializer, LinkSerializer, RefuseSerializer
from govcloud.identity.models import IdentityLinkRequest
from govcloud.organizations import selectors as org_selectors


class IdentityLinkRequestViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """First sign-ins through the unified identity platform that matched no account (the system
    administrator's: everyone else sees none). Decide them with `link` or `refuse`."""

    queryset = IdentityLinkRequest.objects.select_related("user", "decided_by")
    serializer_class = IdentityLinkRequestSerializer
    lookup_value_converter = ID

    def _decide(self, call):
        try:
            request = call()
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(IdentityLinkRequestSerializer(request).data)

    @extend_schema(request=LinkSerializer, responses=IdentityLinkRequestSerializer)
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        """Link the identity to an existing account (its roles unchanged)."""
        link_request = self.get_object()
        serializer = LinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = org_selectors.users_for(user=request.user).filter(pk=serializer.validated_data["user"]).first()
        if user is None:
            raise exceptions.ValidationError({"user": [_("There is no such account.")]})
        return self._decide(lambda: services.link_request_approve(actor=request.user, request=link_request, user=user))

    @extend_schema(request=RefuseSerializer, responses=IdentityLinkRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        link_request = self.get_object()
        serializer = RefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decide(
            lambda: services.link_request_refuse(
                actor=request.user, request=link_request, note=serializer.validated_data["note"]
            )
        )
