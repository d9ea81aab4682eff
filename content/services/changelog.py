"""Appending to the change log, with the head lock held for as short a time as possible.

Invariants:
* an event is written inside the transaction that made its change, never outside one;
* every write of events locks the one ``ChangeLogHead`` row first and keeps it until
  commit, so ``seq`` values are handed out in commit order;
* inside a :func:`changes_batch` the events are held in memory and written in one go when
  the outermost batch ends (still inside the transaction), so the head lock is the last
  lock a content transaction takes and is held only from then until commit — an import
  of 20,000 articles holds it for a moment, not for minutes, and no transaction ever
  waits for a row while holding the head;
* work registered with :func:`at_batch_end` runs just before the events are written, for
  the same reason;
* after commit, :data:`content.dispatch.changes_committed` tells the consumers, once per
  transaction however many writes it made; nothing is announced for one that rolls back.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from content.dispatch import changes_committed
from content.models import Action, ChangeEvent, ChangeLogHead
from content.services.inserts import insert_rows, staged_insert

logger = logging.getLogger(__name__)

STAGED = 200  # events in one write above which they are staged before the lock


class TransactionRequired(RuntimeError):
    """A change to what readers see was attempted outside a database transaction."""


def require_transaction(what: str) -> None:
    """Refuse to go on unless the caller is inside ``transaction.atomic``."""
    if transaction.get_autocommit():
        raise TransactionRequired(
            f"{what} must run inside the transaction that changes the live state "
            "(use content.services.transactions.content_transaction)"
        )


@dataclass
class _Batch:
    events: list[ChangeEvent] = field(default_factory=list)
    deferred: list[Callable[[], object]] = field(default_factory=list)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("kms_batch", default=None)
_release: contextvars.ContextVar[int | None] = contextvars.ContextVar("kms_release", default=None)


@contextlib.contextmanager
def changes_batch() -> Iterator[None]:
    """Hold the events appended in the block and write them when the outermost block ends.

    Must be entered inside a transaction; the events are written before the block
    returns, so they commit (or roll back) with everything else in the transaction.
    """
    if _batch.get() is not None:
        yield  # an outer batch writes everything
        return
    require_transaction("a batch of change events")
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for work in batch.deferred:
        work()
    if batch.events:
        _write(batch.events)


def in_batch() -> bool:
    """Whether the caller runs inside :func:`changes_batch` (a content transaction)."""
    return _batch.get() is not None


def at_batch_end(work: Callable[[], object]) -> None:
    """Run `work` when the outermost batch ends, just before its events are written.

    For writes to rows many transactions touch (a parent page's child count): done last,
    they stay locked only until commit. Outside a batch, `work` runs at once.
    """
    batch = _batch.get()
    if batch is None:
        work()
    else:
        batch.deferred.append(work)


@contextlib.contextmanager
def release_context(release_id: int) -> Iterator[None]:
    """Every event appended inside the block belongs to release `release_id`."""
    token = _release.set(release_id)
    try:
        yield
    finally:
        _release.reset(token)


def _write(events: list[ChangeEvent]) -> None:
    require_transaction("appending change events")
    # Many events (an import's) are made ready before the lock, so that under it only a
    # server-side copy runs (content.services.inserts.staged_insert).
    write = staged_insert(ChangeEvent, events) if len(events) > STAGED else None
    if write is not None:
        check_deferred_constraints()
    started = time.perf_counter()
    # Held until commit: seq values are handed out in commit order. (The row comes with
    # the migrations; should it be missing, it is made here rather than silently unlocked.)
    ChangeLogHead.objects.select_for_update().get_or_create(pk=1)
    locked = time.perf_counter()
    if write is None:
        insert_rows(ChangeEvent, events)
    else:
        write()
    logger.info(
        "change events appended events=%d lock_wait_ms=%.0f locked_write_ms=%.0f",
        len(events),
        (locked - started) * 1000,
        (time.perf_counter() - locked) * 1000,
    )
    _announcements.pending = True
    transaction.on_commit(_announce)


class _Announcements(threading.local):
    pending = False


_announcements = _Announcements()


def _announce() -> None:
    """After commit: one announcement for all the writes of the transaction (its commit
    callbacks run one after another, so the first one speaks for the rest)."""
    if _announcements.pending:
        _announcements.pending = False
        changes_committed.send(sender=ChangeEvent)


def check_deferred_constraints() -> None:
    """Check the transaction's deferred foreign keys now rather than at commit.

    Django declares foreign keys ``DEFERRABLE INITIALLY DEFERRED`` on PostgreSQL, so a
    big import's hundreds of thousands of checks would all run at COMMIT — seconds in
    which the change-log head stays locked. Checked here, before the lock, they cost
    the same and keep nobody waiting; later statements are deferred again as usual.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _append(events: list[ChangeEvent]) -> list[ChangeEvent]:
    release_id = _release.get()
    for event in events:
        event.release_id = release_id
        event.branches = sorted(set(event.branches))
    batch = _batch.get()
    if batch is not None:
        batch.events.extend(events)
    elif events:
        _write(events)
    return events


def change_append(
    *,
    article_key: str,
    action: Action,
    branches: Iterable[str],
    revision_id: int | None = None,
) -> ChangeEvent:
    """Record one reader-visible change; call inside the transaction that made it."""
    event = ChangeEvent(
        article_key=article_key, action=action, branches=list(branches), revision_id=revision_id
    )
    return _append([event])[0]


def changes_append_bulk(events: list[ChangeEvent]) -> list[ChangeEvent]:
    """Many events at once (bulk import, branch changes); same guarantees."""
    return _append(events)
