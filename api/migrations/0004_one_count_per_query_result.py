"""One verdict per result of a logged query (the latest), each result action once: the
repeats sent before are dropped, then the database refuses them."""

from django.db import migrations, models
from django.db.models import Max, Min


def drop_repeats(apps, schema_editor):
    """One statement a table: keep each result's latest verdict and first event."""
    feedback = apps.get_model("api", "Feedback")
    joined = feedback.objects.exclude(query_id=None)
    latest = joined.values("query_id", "article_key").annotate(kept=Max("pk")).values("kept")
    joined.exclude(pk__in=latest).delete()
    events = apps.get_model("api", "ResultEvent")
    first = (
        events.objects.values("query_id", "article_key", "action")
        .annotate(kept=Min("pk"))
        .values("kept")
    )
    events.objects.exclude(pk__in=first).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_query_days"),
    ]

    operations = [
        migrations.RunPython(drop_repeats, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.UniqueConstraint(
                condition=models.Q(("query_id__isnull", False)),
                fields=("query_id", "article_key"),
                name="feedback_one_per_query_result",
            ),
        ),
        migrations.AddConstraint(
            model_name="resultevent",
            constraint=models.UniqueConstraint(
                fields=("query_id", "article_key", "action"), name="result_event_once"
            ),
        ),
    ]
