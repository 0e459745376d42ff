"""Every account gets a security stamp (part of its session hash), and every user name its canonical
spelling (issue 12).

The new stamp also changes every session's hash: everyone signs in again once, and the login then
asks for the second factor their roles need now — no session opened before this release survives.
Two accounts whose names differ only in case stop the migration with their ids: a person decides
which to rename.
"""

from django.db import migrations, models

import govcloud.organizations.models
from govcloud.organizations.usernames import plan_canonical_usernames


def canonicalize_usernames(apps, schema_editor):
    User = apps.get_model("organizations", "User")
    changes = plan_canonical_usernames(User.objects.values_list("pk", "username"))
    users = [User(pk=pk, username=name) for pk, name in changes.items()]
    User.objects.bulk_update(users, ["username"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="security_stamp",
            field=models.CharField(
                default=govcloud.organizations.models.new_security_stamp, editable=False, max_length=32
            ),
        ),
        migrations.RunPython(canonicalize_usernames, migrations.RunPython.noop),
    ]
