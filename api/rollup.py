"""The query log rolled up by day (:class:`api.models.QueryDay`), so that the cockpit reads
a few rows per query and day whatever the log's size.

Invariants:
* a day's rows are recomputed whole from the log, in one transaction (deleted, then
  inserted): running the rollup again changes nothing, and a reader never sees half a day;
* days are local days (``TIME_ZONE``), as the knowledge team reads them;
* every grain is written (:class:`api.models.QueryDay`): per branch or all, per channel
  or all, per query or all — eight GROUP BYs over one day's log;
* one rollup runs at a time (a lock in the shared cache, as long as ``LOCK_SECONDS``): two
  workers never insert the same day twice;
* the periodic task rolls up today and yesterday (rows of yesterday's last second may
  arrive after midnight); ``kms_query_rollup --days N`` rolls up older days.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from api.models import QueryDay, QueryKind, QueryLog
from api.models.analytics import ALL, EVERY_QUERY
from content.tasks import single_run

LOCK = "query-rollup"  # content.tasks.single_run's name
LOCK_SECONDS = 300
BATCH = 2000


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of local `day` and of the day after it."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def recent_days(*, now: dt.datetime | None = None, days: int = 2) -> list[dt.date]:
    """The last `days` local days, today included."""
    today = timezone.localdate(now or timezone.now())
    return [today - dt.timedelta(days=n) for n in range(days)]


# A call missed: a search or suggestion that found nothing, a question with no answer.
MISSED = Q(kind=QueryKind.ANSWER, answered=False) | (~Q(kind=QueryKind.ANSWER) & Q(result_count=0))


# Each combination of the dimensions a row keeps; the others are summed (ALL/EVERY_QUERY).
GRAINS = tuple(itertools.product((True, False), repeat=3))  # branch, channel, query


def _day_rows(day: dt.date) -> Iterable[QueryDay]:
    start, end = day_bounds(day)
    logged = QueryLog.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    for by_branch, by_channel, by_query in GRAINS:
        kept = ["kind"]
        kept += ["branch_code"] * by_branch + ["channel"] * by_channel + ["query"] * by_query
        summed = {
            "branch_code": None if by_branch else ALL,
            "channel": None if by_channel else ALL,
            "query": None if by_query else EVERY_QUERY,
        }
        grouped = logged.values(*kept).annotate(
            calls=Count("id"), missed=Count("id", filter=MISSED)
        )
        for row in grouped.iterator(chunk_size=BATCH):
            fixed = {name: value for name, value in summed.items() if value is not None}
            yield QueryDay(day=day, **row, **fixed)


def query_days_rollup(days: Iterable[dt.date]) -> int | None:
    """Recompute the rows of `days` from the log; how many rows they hold now, or None
    when another rollup holds the lock."""
    with single_run(LOCK, timeout=LOCK_SECONDS) as mine:
        if not mine:
            return None
        written = 0
        for day in sorted(set(days)):
            with transaction.atomic():
                QueryDay.objects.filter(day=day).delete()
                rows = QueryDay.objects.bulk_create(_day_rows(day), batch_size=BATCH)
                written += len(rows)
        return written
