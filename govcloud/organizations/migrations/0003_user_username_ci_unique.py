"""No two accounts whose names differ only in case, even written past the application (issue 12).
A migration of its own: PostgreSQL builds the index after 0002's updates are committed."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_user_security_stamp_canonical_usernames"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="organizations_user_username_ci_unique",
                violation_error_message="This username is taken.",
            ),
        ),
    ]
