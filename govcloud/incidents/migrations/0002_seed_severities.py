"""The four severity levels the center starts with; it edits their definitions and targets after."""

from django.db import migrations


def seed(apps, schema_editor):
    from govcloud.incidents.severities import severities_seed

    severities_seed(apps.get_model("incidents", "IncidentSeverity"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
