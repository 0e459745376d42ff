import django_filters
from django.utils.translation import gettext_lazy as _

from govcloud.budgets.models import Budget
from govcloud.core.filters import IntegerFilter


class BudgetFilter(django_filters.FilterSet):
    year = IntegerFilter(label=_("year"), min_value=2000, max_value=2100)

    class Meta:
        model = Budget
        fields = ["year"]
