from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "govcloud.organizations"
    label = "organizations"
    verbose_name = _("Organizations and people")

    def ready(self) -> None:
        from govcloud.organizations import receivers  # noqa: F401  (login/logout/lockout events)
