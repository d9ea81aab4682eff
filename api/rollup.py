"""The query log rolled up by day (:class:`api.models.QueryDay`), so that the cockpit reads
one slice of rolled-up rows whatever the log's size.

Invariants:
* the rows count exactly the calls logged before the mark (:class:`QueryRollupMark`),
  each once: the periodic :func:`query_log_count` adds the calls logged since the mark
  (up to ``LAG`` ago: every web process has written its buffer by then) and moves the
  mark in the same transaction; :func:`query_days_recount` recomputes whole days, up to
  the same mark, for backfills and repairs;
* a transaction counts at most ``WINDOW`` of the log, so no write is long (SQLite has one
  writer: an editor's publish waits for it), and a backlog is caught up window by window;
* every grain is written: per branch or all, per channel or all, per query or all;
* days are local days (``TIME_ZONE``), as the knowledge team reads them;
* one rollup runs at a time (``content.tasks.single_run``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from api.models import QueryDay, QueryKind, QueryLog, QueryRollupMark
from api.models.analytics import ALL, EVERY_QUERY
from content.tasks import single_run

LOCK = "query-rollup"  # content.tasks.single_run's name
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


# A call missed: a search or suggestion that found nothing, a question with no answer.
MISSED = Q(kind=QueryKind.ANSWER, answered=False) | (~Q(kind=QueryKind.ANSWER) & Q(result_count=0))


def _mark() -> QueryRollupMark | None:
    return QueryRollupMark.objects.filter(pk=1).first()


def _move_mark(through: dt.datetime) -> None:
    QueryRollupMark.objects.update_or_create(pk=1, defaults={"through": through})


def _keys(day: dt.date, kind: str, branch: str, channel: str, query: str) -> Iterator[Key]:
    for by_branch, by_channel, by_query in GRAINS:
        yield (
            day,
            kind,
            branch if by_branch else ALL,
            channel if by_channel else ALL,
            query if by_query else EVERY_QUERY,
        )


def _add(calls: Iterable[tuple]) -> int:
    """Add logged `calls` (``CALL_FIELDS``) to their rows, creating the rows that are new;
    how many calls."""
    counts: dict[Key, list[int]] = {}
    added = 0
    for created_at, kind, branch, channel, query, found, answered in calls:
        missed = answered is False if kind == QueryKind.ANSWER else found == 0
        for key in _keys(timezone.localdate(created_at), kind, branch, channel, query):
            count = counts.setdefault(key, [0, 0])
            count[0] += 1
            count[1] += missed
        added += 1
    if not counts:
        return 0
    days, queries = {key[0] for key in counts}, sorted({key[4] for key in counts})
    existing = {
        (row.day, row.kind, row.branch_code, row.channel, row.query): row
        for start in range(0, len(queries), BATCH // 4)  # within any database's bound
        for row in QueryDay.objects.filter(
            day__in=days, query__in=queries[start : start + BATCH // 4]
        )
    }
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


def query_log_count(*, now: dt.datetime | None = None) -> int | None:
    """Periodic: add the calls logged since the mark to their days' rows; how many, or
    None when another rollup holds the lock. The first run counts every logged day."""
    until = (now or timezone.now()) - LAG
    with single_run(LOCK, timeout=LOCK_SECONDS) as mine:
        if not mine:
            return None
        mark = _mark()
        if mark is None:
            first = QueryLog.objects.order_by("created_at").values_list("created_at", flat=True)
            start = first.first() or until
            days = (timezone.localdate(until) - timezone.localdate(start)).days + 1
            _recount(recent_days(now=until, days=max(days, 1)), until)
            return QueryLog.objects.filter(created_at__lt=until).count()
        counted, start = 0, mark.through
        while start < until:
            end = min(until, start + WINDOW)
            with transaction.atomic():
                counted += _add(
                    QueryLog.objects.filter(created_at__gte=start, created_at__lt=end)
                    .order_by()
                    .values_list(*CALL_FIELDS)
                    .iterator(chunk_size=BATCH)
                )
                _move_mark(end)
            start = end
        return counted


def query_days_recount(days: Iterable[dt.date], *, now: dt.datetime | None = None) -> int | None:
    """Recompute the rows of `days` from the log, up to the mark (set now to ``LAG`` ago
    when there is none yet); how many rows they hold, or None when another rollup holds
    the lock."""
    with single_run(LOCK, timeout=LOCK_SECONDS) as mine:
        if not mine:
            return None
        mark = _mark()
        return _recount(days, mark.through if mark else (now or timezone.now()) - LAG)


def _recount(days: Iterable[dt.date], through: dt.datetime) -> int:
    written = 0
    for day in sorted(set(days)):
        with transaction.atomic():
            QueryDay.objects.filter(day=day).delete()
            written += len(QueryDay.objects.bulk_create(_day_rows(day, through), batch_size=BATCH))
    _move_mark(through)
    return written


def _day_rows(day: dt.date, through: dt.datetime) -> Iterable[QueryDay]:
    start, end = day_bounds(day)
    logged = QueryLog.objects.filter(created_at__gte=start, created_at__lt=min(end, through))
    for by_branch, by_channel, by_query in GRAINS:
        kept = ["kind"]
        kept += ["branch_code"] * by_branch + ["channel"] * by_channel + ["query"] * by_query
        summed = {
            "branch_code": None if by_branch else ALL,
            "channel": None if by_channel else ALL,
            "query": None if by_query else EVERY_QUERY,
        }
        fixed = {name: value for name, value in summed.items() if value is not None}
        grouped = (
            logged.order_by()
            .values(*kept)
            .annotate(calls=Count("id"), missed=Count("id", filter=MISSED))
        )
        for row in grouped.iterator(chunk_size=BATCH):
            yield QueryDay(day=day, **row, **fixed)
