"""An index on the pages' latest revision time, the admin article listing's order
(content.page_indexes): Wagtail's table, so created by name and dropped on the way back."""

from django.db import migrations

from content import page_indexes


def create(apps, schema_editor):
    page_indexes.create(schema_editor.connection)


def drop(apps, schema_editor):
    page_indexes.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("content", "0015_review_reminders_emailed")]

    operations = [migrations.RunPython(create, drop)]
