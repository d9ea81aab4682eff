"""The editors' search on PostgreSQL matches Wagtail's ``body`` vector alone, which
Wagtail's own GIN index covers (search.admin_search.postgres): the index on
``title || body || autocomplete`` of migration 0002 goes, it only slowed writes."""

from django.db import migrations

INDEX = "search_admin_vectors_gin"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin (((title || body) || autocomplete))"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_admin_search_index")]

    operations = [migrations.RunPython(drop, create, elidable=True)]
