from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "govcloud.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from govcloud.audit import guard  # noqa: F401  (registers the SQLite guard function)
