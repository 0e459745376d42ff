from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "govcloud.budgets"
    label = "budgets"
    verbose_name = _("Budgets")

    def ready(self) -> None:
        from govcloud.budgets.services import register_kinds

        register_kinds()
