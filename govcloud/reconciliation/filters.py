import django_filters
from django.utils.translation import gettext_lazy as _

from govcloud.reconciliation.models import Discrepancy, DiscrepancyKind, DiscrepancyState


class DiscrepancyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=DiscrepancyKind.choices)
    state = django_filters.ChoiceFilter(label=_("state"), choices=DiscrepancyState.choices)
    driver = django_filters.CharFilter(label=_("driver"))

    class Meta:
        model = Discrepancy
        fields = ["kind", "state", "driver"]
