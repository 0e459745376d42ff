from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WasteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "govcloud.waste"
    verbose_name = _("Waste control")
