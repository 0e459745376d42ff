import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.applications.models import Application, ApplicationKind, ApplicationState, Environment
from govcloud.core.filters import BooleanFilter


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("state"), choices=ApplicationState.choices)
    kind = django_filters.ChoiceFilter(label=_("type"), choices=ApplicationKind.choices)
    environment = django_filters.ChoiceFilter(label=_("environment"), choices=Environment.choices)
    exceeds_quota = BooleanFilter(label=_("exceeds the quota"))

    class Meta:
        model = Application
        fields = ["q", "state", "kind", "environment", "exceeds_quota"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(purpose__icontains=value) | Q(system__name__icontains=value)
        )
