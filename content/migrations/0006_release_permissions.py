"""HQ reviewers — who may publish — build, apply and roll back releases."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HQ_REVIEWERS = "总部审核员"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
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
