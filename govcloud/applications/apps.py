from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "govcloud.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        # Delivery tells the workflow when work orders move (it may not import the workflow).
        from govcloud.applications import kinds, receivers  # noqa: F401
        from govcloud.applications.policy_impact import application_policy_impacts
        from govcloud.core.policy import register_impact

        kinds.register()
        register_impact(application_policy_impacts)
