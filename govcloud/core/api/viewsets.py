"""Base viewsets: every queryset goes through the scope, every object through get_scoped_or_404."""

from rest_framework import viewsets

from govcloud.core.scoping import Action, get_scoped_or_404

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ScopedViewSetMixin:
    """Subclasses set `queryset` (unrestricted base, with select_related) and optionally
    `object_action` per DRF action. Reads use Action.VIEW, writes Action.CHANGE."""

    # DRF actions that only need the object to be visible: their service checks the role itself.
    view_scoped_actions: frozenset[str] = frozenset()

    def scope_action(self) -> str:
        if self.request.method in _WRITE_METHODS and getattr(self, "action", None) not in self.view_scoped_actions:
            return Action.CHANGE
        return Action.VIEW

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action())

    def checked_filters(self) -> dict[str, str]:
        """The query string as filters for a background job (an export), checked by the viewset's
        filterset now: junk answers 400 to the caller instead of failing, or being ignored, in the
        job. Such actions declare `extend_schema(filters=True)` so the schema lists the filters."""
        self.filter_queryset(self.get_queryset())
        return self.request.query_params.dict()

    def get_object(self):
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        queryset = self.filter_queryset(super().get_queryset())
        obj = get_scoped_or_404(
            queryset,
            self.request.user,
            self.scope_action(),
            **{self.lookup_field: self.kwargs[lookup_url_kwarg]},
        )
        self.check_object_permissions(self.request, obj)
        return obj


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
