"""An index on the pages' latest revision time, the order of the admin's article listing
(newest edit first): with it the listing reads its first page of 50 from the index instead
of sorting every article (50,000 articles on SQLite: ~125 ms → ~3 ms). Wagtail's own table,
so the index is created here, by name, and dropped on the way back."""

from django.db import migrations

NAME = "kms_page_latest_revision"


def create(apps, schema_editor):
    # PostgreSQL reads a descending index for Wagtail's DESC NULLS LAST; SQLite sorts NULLs
    # first, so its ascending index read backwards is that order already.
    order = "DESC NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON wagtailcore_page (latest_revision_created_at {order})"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0015_review_reminders_emailed"),
    ]

    operations = [migrations.RunPython(create, drop)]
