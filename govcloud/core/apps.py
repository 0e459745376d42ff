from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What an empty choice says on every form ("请选择…"), instead of Django's "---------".
CHOOSE = _("Choose…")


def _readable_empty_choices() -> None:
    """Django writes "---------" for an empty choice in three places: a model field's choices
    (BLANK_CHOICE_DASH, a list every model field's get_choices() takes by default, so changed in
    place), ModelChoiceField's empty_label default, and django-filter's FILTERS_EMPTY_CHOICE_LABEL
    (set in settings). One place here, so no form has to remember it."""
    from django.db.models import fields
    from django.forms import models as form_models

    fields.BLANK_CHOICE_DASH[:] = [("", CHOOSE)]
    original = form_models.ModelChoiceField.__init__
    if getattr(original, "readable_empty_label", False):
        return

    def __init__(self, queryset, *, empty_label="---------", **kwargs):
        if empty_label == "---------":
            empty_label = CHOOSE
        original(self, queryset, empty_label=empty_label, **kwargs)

    __init__.readable_empty_label = True
    form_models.ModelChoiceField.__init__ = __init__


class CoreConfig(AppConfig):
    name = "govcloud.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        _readable_empty_choices()
