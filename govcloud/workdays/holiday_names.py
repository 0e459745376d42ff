"""Display names of holidays. The calendar stores the package's English names; pages show the
Chinese ones (or the English ones when the language is switched)."""

from django.utils.translation import gettext_lazy as _

HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist War Victory 70th Anniversary"),
}


def holiday_label(name: str):
    return HOLIDAY_NAMES.get(name, name)
