"""HQ reviewers — who may publish — build, apply and roll back releases."""

from django.db import migrations

from content.migrations._permissions import ensure_permissions

HQ_REVIEWERS = "总部审核员"


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group, _ = Group.objects.get_or_create(name=HQ_REVIEWERS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="content",
            codename__in=["add_release", "change_release", "view_release"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [("content", "0005_change_log_and_releases")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
