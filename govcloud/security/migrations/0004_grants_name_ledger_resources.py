"""Access grants and sessions name ledger resources instead of free text (Art. 18, issue 16 §3).

What a grant or session named in free text is matched against the department's own ledger
resources by resource number (code) or name; a match becomes a link, what matches nothing is kept
word for word as the grant's (or session's) note on the resources — nothing typed is lost."""

import django.db.models.deletion
from django.db import migrations, models


def _match(Resource, path: str, text: str):
    text = (text or "").strip()
    if not text:
        return None
    mine = Resource.objects.filter(organization__path__startswith=path)
    return mine.filter(code=text).first() or mine.filter(name=text).order_by("pk").first()


def forwards(apps, schema_editor):
    AccessGrant = apps.get_model("security", "AccessGrant")
    AccessSession = apps.get_model("security", "AccessSession")
    Resource = apps.get_model("ledger", "Resource")
    for grant in AccessGrant.objects.select_related("organization").iterator():
        unmatched = []
        for text in grant.resources_text or []:
            resource = _match(Resource, grant.organization.path, str(text))
            if resource is not None:
                grant.resources.add(resource)
            else:
                unmatched.append(str(text))
        if unmatched:
            grant.resource_note = ", ".join(unmatched)
            grant.save(update_fields=["resource_note"])
    for session in AccessSession.objects.select_related("organization").exclude(resource_note="").iterator():
        resource = _match(Resource, session.organization.path, session.resource_note)
        if resource is not None:
            session.resource = resource
            session.resource_note = ""
            session.save(update_fields=["resource", "resource_note"])


def backwards(apps, schema_editor):
    AccessGrant = apps.get_model("security", "AccessGrant")
    AccessSession = apps.get_model("security", "AccessSession")
    for grant in AccessGrant.objects.prefetch_related("resources").iterator():
        names = [r.code for r in grant.resources.all()]
        names += [t.strip() for t in grant.resource_note.split(",") if t.strip()]
        grant.resources_text = names
        grant.save(update_fields=["resources_text"])
    for session in AccessSession.objects.select_related("resource").filter(resource__isnull=False).iterator():
        session.resource_note = session.resource.code
        session.save(update_fields=["resource_note"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_resource_columns"),
        ("security", "0003_notices_and_events"),
    ]

    operations = [
        migrations.RenameField("accessgrant", "resources", "resources_text"),
        migrations.AddField(
            model_name="accessgrant",
            name="resources",
            field=models.ManyToManyField(
                blank=True, related_name="access_grants", to="ledger.resource", verbose_name="resources"
            ),
        ),
        migrations.AddField(
            model_name="accessgrant",
            name="resource_note",
            field=models.TextField(blank=True, verbose_name="note on the resources"),
        ),
        migrations.RenameField("accesssession", "resource", "resource_note"),
        migrations.AlterField(
            model_name="accesssession",
            name="resource_note",
            field=models.CharField(blank=True, max_length=200, verbose_name="note on the resource"),
        ),
        migrations.AddField(
            model_name="accesssession",
            name="resource",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="access_sessions",
                to="ledger.resource",
                verbose_name="resource",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("accessgrant", "resources_text"),
        migrations.RemoveConstraint(model_name="accesssession", name="security_session_names_a_target"),
        migrations.AddConstraint(
            model_name="accesssession",
            constraint=models.CheckConstraint(
                condition=models.Q(system__isnull=False)
                | models.Q(grant__isnull=False)
                | models.Q(resource__isnull=False),
                name="security_session_names_a_target",
            ),
        ),
    ]
