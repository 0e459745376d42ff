from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.organizations import services
from govcloud.organizations.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    OrganizationSerializer,
    RolesSerializer,
    UserCreateResponseSerializer,
    UserSerializer,
)
from govcloud.organizations.filters import OrganizationFilter, UserFilter
from govcloud.organizations.middleware import token_creation_refusal
from govcloud.organizations.models import ApiToken, Organization, User


class OrganizationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Organizations (Art. 4 tree). Reading follows the scope; writing is the system admin's."""

    queryset = Organization.objects.select_related("parent")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        try:
            serializer.instance = services.organization_create(actor=self.request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def perform_update(self, serializer):
        try:
            serializer.instance = services.organization_update(
                actor=self.request.user, organization=serializer.instance, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    queryset = User.objects.with_roles()
    serializer_class = UserSerializer
    filterset_class = UserFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    view_scoped_actions = frozenset({"set_roles"})

    @extend_schema(responses={201: UserCreateResponseSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            user, password = services.user_create(actor=request.user, **data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        body = UserSerializer(User.objects.with_roles().get(pk=user.pk)).data
        body["temporary_password"] = password
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "username"}
        try:
            serializer.instance = services.user_update(actor=self.request.user, user=serializer.instance, **data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    @extend_schema(request=RolesSerializer, responses=UserSerializer)
    @action(detail=True, methods=["post"], url_path="roles")
    def set_roles(self, request, pk=None):
        """Give the user exactly these roles (security admin; 三员分立 enforced)."""
        user = self.get_object()
        serializer = RolesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.user_set_roles(actor=request.user, user=user, roles=set(serializer.validated_data["roles"]))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(UserSerializer(User.objects.with_roles().get(pk=user.pk)).data)

    @extend_schema(responses=UserSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        """The signed-in user."""
        return Response(UserSerializer(User.objects.with_roles().get(pk=request.user.pk)).data)


class ApiTokenViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Your personal access tokens. New ones are created from a signed-in, second-factor-verified
    browser session only (403 with a token or a session that owes the second factor)."""

    queryset = ApiToken.objects.select_related("user")
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return super().get_queryset().filter(user=self.request.user)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        refusal = token_creation_refusal(request)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token, raw = services.token_create(actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        body = ApiTokenSerializer(token).data
        body["token"] = raw
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        token = services.token_revoke(actor=request.user, token=token)
        return Response(ApiTokenSerializer(token).data)
