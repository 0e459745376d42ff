from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [
        # The digest was always meant to be the national-standard one, as for system attachments.
        migrations.RenameField(model_name="attachment", old_name="sha256", new_name="sm3"),
        migrations.AlterField(
            model_name="attachment",
            name="sm3",
            field=models.CharField(max_length=64, verbose_name="SM3 digest"),
        ),
    ]
