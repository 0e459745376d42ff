from django.db import migrations


def forwards(apps, schema_editor):
    from govcloud.audit import guard

    guard.install(schema_editor)


def backwards(apps, schema_editor):
    from govcloud.audit import guard

    guard.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
