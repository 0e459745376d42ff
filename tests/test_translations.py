"""Chinese is the default language: every string of the interface has a Chinese translation."""

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert not missing, f"translate these in {PO}: {missing[:20]}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|<[^>]+>")
    po = polib.pofile(str(PO))
    for e in po:
        translated = e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr
        assert sorted(set(pattern.findall(e.msgid))) == sorted(set(pattern.findall(translated))), e.msgid


def test_catalog_is_compiled():
    assert PO.with_suffix(".mo").exists(), "run `make messages` (make run and make test do)"
