"""Published snapshots keep their plain texts: filled for the snapshots there are."""

from django.db import migrations, models

from content.markdown import plain_text

BATCH = 500


def fill(apps, schema_editor) -> None:
    PublishedArticle = apps.get_model("content", "PublishedArticle")
    rows = PublishedArticle.objects.order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for row in batch:
            row.summary_text, row.text = plain_text(row.summary), plain_text(row.body)
        PublishedArticle.objects.bulk_update(batch, ["summary_text", "text"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0012_release_unscheduled_because"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedarticle",
            name="summary_text",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="publishedarticle",
            name="text",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
