from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemsConfig(AppConfig):
    name = "govcloud.systems"
    label = "systems"
    verbose_name = _("Information systems and MLPS")
