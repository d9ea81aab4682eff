"""The query log rolled up by day (:class:`api.models.QueryDay`), so that the cockpit reads
one slice of rolled-up rows whatever the log's size.

Invariants:
* the rows count each logged call once, by the local day it was made, once it was
  *written* (``QueryLog.written_at``: a web process writes its calls every second, or
  later after a database outage) before the mark (:class:`QueryRollupMark`); the
  periodic :func:`query_log_count` adds the calls written since the mark (up to ``LAG``
  ago, for clocks a little apart) and moves the mark in the same transaction;
* a recount (the first run, and ``kms_query_rollup --days N``) recomputes whole days up
  to the mark, one day a transaction, remembering where it is: a run stopped by its time
  limit is taken up by the next, and the minute's counting waits until it is done;
* a transaction counts at most ``WINDOW`` of the log or one day, so no write is long
  (SQLite has one writer: an editor's publish waits for it);
* both count through one function (:func:`_add`), into every grain (``GRAINS``): per
  branch or all, per channel or all, per query or all;
* one rollup runs at a time (``content.locks.single_run``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from api.models import QueryDay, QueryLog, QueryRollupMark
from api.models.analytics import ALL, EVERY_QUERY, missed
from content.locks import single_run

LOCK = "query-rollup"  # content.locks.single_run's name
LOCK_SECONDS = 300
LAG = dt.timedelta(seconds=30)  # web processes write their logged calls every second
WINDOW = dt.timedelta(hours=1)
BATCH = 2000

# Each combination of the dimensions a row keeps; the others are summed (ALL/EVERY_QUERY).
GRAINS = tuple(itertools.product((True, False), repeat=3))  # branch, channel, query
Key = tuple[dt.date, str, str, str, str]  # day, kind, branch, channel, query
CALL_FIELDS = ("created_at", "kind", "branch_code", "channel", "query", "result_count", "answered")


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of local `day` and of the day after it."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def recent_days(*, now: dt.datetime | None = None, days: int = 2) -> list[dt.date]:
    """The last `days` local days, today included."""
    today = timezone.localdate(now or timezone.now())
    return [today - dt.timedelta(days=n) for n in range(days)]


def _mark() -> QueryRollupMark | None:
    return QueryRollupMark.objects.filter(pk=1).first()


def _keys(day: dt.date, kind: str, branch: str, channel: str, query: str) -> Iterator[Key]:
    for by_branch, by_channel, by_query in GRAINS:
        yield (
            day,
            kind,
            branch if by_branch else ALL,
            channel if by_channel else ALL,
            query if by_query else EVERY_QUERY,
        )


def _add(calls: Iterable[tuple], *, fresh: bool = False) -> int:
    """Add logged `calls` (``CALL_FIELDS``) to their rows, creating the rows that are new
    (all of them when the caller has just deleted their days: `fresh`); how many calls."""
    counts: dict[Key, list[int]] = {}
    added = 0
    for created_at, kind, branch, channel, query, found, answered in calls:
        missing = missed(kind, found, answered)
        for key in _keys(timezone.localdate(created_at), kind, branch, channel, query):
            count = counts.setdefault(key, [0, 0])
            count[0] += 1
            count[1] += missing
        added += 1
    existing = {} if fresh else _rows_of(counts)
    changed, new = [], []
    for key, (calls_of, missed_of) in counts.items():
        row = existing.get(key)
        if row is None:
            day, kind, branch, channel, query = key
            new.append(QueryDay(day=day, kind=kind, branch_code=branch, channel=channel,
                                query=query, calls=calls_of, missed=missed_of))  # fmt: skip
        else:
            row.calls += calls_of
            row.missed += missed_of
            changed.append(row)
    QueryDay.objects.bulk_create(new, batch_size=BATCH)
    QueryDay.objects.bulk_update(changed, ["calls", "missed"], batch_size=BATCH)
    return added


def _rows_of(keys: Iterable[Key]) -> dict[Key, QueryDay]:
    """The rows that exist of `keys`."""
    days, queries = {key[0] for key in keys}, sorted({key[4] for key in keys})
    return {
        (row.day, row.kind, row.branch_code, row.channel, row.query): row
        for start in range(0, len(queries), BATCH // 4)  # within any database's bound
        for row in QueryDay.objects.filter(
            day__in=days, query__in=queries[start : start + BATCH // 4]
        )
    }


def _calls(**written: object) -> Iterator[tuple]:
    """The logged calls (``CALL_FIELDS``) the filter `written` selects, streamed."""
    return (
        QueryLog.objects.filter(**written)
        .order_by()
        .values_list(*CALL_FIELDS)
        .iterator(chunk_size=BATCH)
    )


def query_log_count(*, now: dt.datetime | None = None) -> int | None:
    """Periodic: count the calls written since the mark into their days; how many calls
    this run counted, or None when another rollup holds the lock. The first run (and a
    recount stopped midway) counts whole days instead."""
    until = (now or timezone.now()) - LAG
    with single_run(LOCK, timeout=LOCK_SECONDS) as mine:
        if not mine:
            return None
        mark = _mark()
        if mark is None:
            first = QueryLog.objects.order_by("created_at").values_list("created_at", flat=True)
            mark = QueryRollupMark.objects.create(
                pk=1, through=until, recount_from=timezone.localdate(first.first() or until)
            )
        if mark.recount_from is not None:
            return _recount_pending(mark)
        counted, start = 0, mark.through
        while start < until:
            end = min(until, start + WINDOW)
            with transaction.atomic():
                counted += _add(_calls(written_at__gte=start, written_at__lt=end))
                QueryRollupMark.objects.filter(pk=1).update(through=end)
            start = end
        return counted


def query_days_recount(days: int, *, now: dt.datetime | None = None) -> int | None:
    """Recount the last `days` local days whole, up to the mark (the first count, every
    logged day, when there is none yet); how many calls they hold, or None when another
    rollup holds the lock."""
    until = (now or timezone.now()) - LAG
    with single_run(LOCK, timeout=LOCK_SECONDS) as mine:
        if not mine:
            return None
        oldest = recent_days(now=until, days=days)[-1]
        mark = _mark()
        if mark is None:
            mark = QueryRollupMark.objects.create(pk=1, through=until, recount_from=oldest)
        elif mark.recount_from is None or mark.recount_from > oldest:
            mark.recount_from = oldest
            mark.save(update_fields=["recount_from"])
        return _recount_pending(mark)


def _recount_pending(mark: QueryRollupMark) -> int:
    """Recount each day from the mark's ``recount_from`` to the mark's own day, a day a
    transaction, moving ``recount_from`` with it; how many calls the days hold."""
    last = timezone.localdate(mark.through)
    counted = 0
    day = mark.recount_from
    while day is not None and day <= last:
        following = day + dt.timedelta(days=1)
        start, end = day_bounds(day)
        with transaction.atomic():
            QueryDay.objects.filter(day=day).delete()
            counted += _add(
                _calls(created_at__gte=start, created_at__lt=end, written_at__lt=mark.through),
                fresh=True,
            )
            QueryRollupMark.objects.filter(pk=1).update(
                recount_from=following if following <= last else None
            )
        day = following
    return counted
