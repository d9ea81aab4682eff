"""On PostgreSQL, a GIN index on what the editors' search matches: ``title || body ||
autocomplete`` of Wagtail's index entries (search.admin_search.postgres). SQLite's FTS5
table indexes itself; nothing to do there."""

from django.db import migrations

INDEX = "search_admin_vectors_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin (((title || body) || autocomplete))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
