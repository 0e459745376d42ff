from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "govcloud.identity"
    verbose_name = _("Unified sign-on")
    label = "identity"

    def ready(self) -> None:
        from govcloud.identity import receivers  # noqa: F401
