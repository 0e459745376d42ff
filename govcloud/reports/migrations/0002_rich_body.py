"""The provider reports' text becomes HTML (issue 13): every body written before the editor is plain
text, escaped and turned into paragraphs (a blank line starts one, a line break stays one), the
same as the |linebreaks filter showed it. Going back strips the tags again (one line per block),
so the plain-text pages read it as before."""

import re
from html import unescape

from django.db import migrations
from django.utils.html import linebreaks, strip_tags

_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


def to_html(apps, schema_editor):
    ProviderReport = apps.get_model("reports", "ProviderReport")
    for report in ProviderReport.objects.only("pk", "body").iterator(chunk_size=500):
        body = linebreaks((report.body or "").strip(), autoescape=True)
        ProviderReport.objects.filter(pk=report.pk).update(body=body)


def to_text(apps, schema_editor):
    ProviderReport = apps.get_model("reports", "ProviderReport")
    for report in ProviderReport.objects.only("pk", "body").iterator(chunk_size=500):
        # linebreaks wrote "<p>…</p>\n\n<p>…</p>": a block end plus that separator is the blank line.
        text = unescape(strip_tags(_BLOCK_END.sub("\n", report.body or "")))
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        ProviderReport.objects.filter(pk=report.pk).update(body=text)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(to_html, to_text, elidable=False)]
