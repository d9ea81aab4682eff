"""One verdict per result of a logged query (the latest), each result action once: the
repeats sent before are dropped, then the database refuses them."""

from django.db import migrations, models
from django.db.models import Count, Max, Min


def drop_repeats(apps, schema_editor):
    feedback = apps.get_model("api", "Feedback")
    repeated = (
        feedback.objects.exclude(query_id=None)
        .values("query_id", "article_key")
        .annotate(n=Count("pk"), last=Max("pk"))
        .filter(n__gt=1)
    )
    for group in repeated.iterator():
        feedback.objects.filter(
            query_id=group["query_id"], article_key=group["article_key"]
        ).exclude(pk=group["last"]).delete()
    events = apps.get_model("api", "ResultEvent")
    repeated = (
        events.objects.values("query_id", "article_key", "action")
        .annotate(n=Count("pk"), first=Min("pk"))
        .filter(n__gt=1)
    )
    for group in repeated.iterator():
        events.objects.filter(
            query_id=group["query_id"], article_key=group["article_key"], action=group["action"]
        ).exclude(pk=group["first"]).delete()


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
