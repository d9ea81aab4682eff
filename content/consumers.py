"""Consumers of the change log: each reads from its own cursor, in order, never skipping.

Invariants:
* a consumer's cursor only moves past an event after the consumer handled it (for
  consumers with ``batch_size > 1``, after the whole batch — such consumers must be
  idempotent, since a failed batch is handled again);
* a failure stops the consumer at the failed event, records the error on its cursor and
  is re-raised, so the task retries with backoff; later events wait behind it;
* two workers never run the same consumer at once: its cursor row is locked meanwhile,
  and a catch-up that finds it locked skips instead of queueing behind the lock;
* nothing is left behind by a skip: :func:`drain`, the one loop that runs a consumer,
  looks for new events again *after* releasing the lock, and an event's nudge tries the
  lock only after the event committed — so either the nudge gets the lock, or the
  holder's next look sees the event. A bounded drain (``most``, the after-commit nudge's
  share) leaves the rest to the periodic sweep, which drains everything;
* :func:`rebuild_backlogs` (a bulk import run in-process) lets a consumer that can
  rebuild its state from the snapshots do so instead of replaying a large backlog
  (:meth:`Consumer.catch_up_at_once`); such a rebuild must set the cursor to the head it
  read *before* reading the snapshots, so what committed meanwhile is handled after it.

Consumers are registered by the composition root (kms/consumers.py), not discovered here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from content.models import ChangeEvent, ConsumerCursor

logger = logging.getLogger(__name__)


class Consumer:
    """Subclass and implement :meth:`handle` (or :meth:`handle_batch`)."""

    name: str = ""
    batch_size: int = 1
    #: Errors worth retrying (with backoff) rather than treating as bugs.
    transient_errors: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)

    def handle(self, event: ChangeEvent) -> None:
        raise NotImplementedError

    def handle_batch(self, events: Sequence[ChangeEvent]) -> None:
        for event in events:
            self.handle(event)

    def catch_up_at_once(self, backlog: int) -> None:
        """Rebuild from the snapshots instead of replaying `backlog` events, when that is
        quicker (the default replays: it does nothing here)."""


class Registry:
    def __init__(self) -> None:
        self._consumers: dict[str, Consumer] = {}

    def register(self, consumer: Consumer) -> Consumer:
        self._consumers[consumer.name] = consumer
        return consumer

    def unregister(self, name: str) -> None:
        self._consumers.pop(name, None)

    def get(self, name: str) -> Consumer:
        try:
            return self._consumers[name]
        except KeyError:
            known = ", ".join(sorted(self._consumers)) or "none"
            raise KeyError(f"no consumer {name!r} (registered: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._consumers)


registry = Registry()


CATCH_UP = 5000  # events one catch-up reads at most


def catch_up(name: str, *, limit: int = CATCH_UP) -> int | None:
    """Process up to `limit` events after the cursor of consumer `name`; returns how many,
    or None when another worker is running that consumer right now."""
    consumer = registry.get(name)
    processed = 0
    failure: BaseException | None = None
    ConsumerCursor.objects.get_or_create(name=name)
    with transaction.atomic():
        cursor = (
            ConsumerCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()
        )
        if cursor is None:
            return None
        events = list(ChangeEvent.objects.filter(seq__gt=cursor.position)[:limit])
        for start in range(0, len(events), consumer.batch_size):
            batch = events[start : start + consumer.batch_size]
            try:
                consumer.handle_batch(batch)
            except Exception as error:  # noqa: BLE001  (recorded on the cursor, then re-raised)
                failure = error
                break
            cursor.position = batch[-1].seq
            processed += len(batch)
        cursor.failures = cursor.failures + 1 if failure else 0
        cursor.last_error = repr(failure) if failure else ""
        cursor.save()
    if failure is not None:
        logger.warning(
            "consumer failed name=%s position=%d error=%r", name, cursor.position, failure
        )
        raise failure
    if processed:
        logger.info(
            "consumer caught up name=%s processed=%d position=%d", name, processed, cursor.position
        )
    return processed


def _pending(name: str) -> bool:
    position = ConsumerCursor.objects.filter(name=name).values_list("position", flat=True).first()
    return ChangeEvent.objects.filter(seq__gt=position or 0).exists()


def drain(name: str, *, most: int | None = None) -> int:
    """Let consumer `name` catch up with the whole log — or with about `most` events, the
    rest left to the next run; returns how many events it handled.

    Returns early (with what it did) when another worker holds the consumer: that worker
    looks again after it lets go (see the module docstring).
    """
    total = 0
    while True:
        processed = catch_up(name, limit=min(most, CATCH_UP) if most else CATCH_UP)
        if processed is None:
            return total
        total += processed
        if most is not None and total >= most:
            return total
        if not processed and not _pending(name):
            return total


def lag(name: str) -> int:
    """How many events consumer `name` has yet to handle."""
    position = ConsumerCursor.objects.filter(name=name).values_list("position", flat=True).first()
    return _events_after(position or 0)


def _events_after(position: int) -> int:
    return ChangeEvent.objects.filter(seq__gt=position).count()


def rebuild_backlogs() -> None:
    """Let every consumer that rebuilds from the snapshots faster than it replays its
    backlog do so (a bulk import run in-process; never a worker's time-limited task)."""
    for name in registry.names():
        registry.get(name).catch_up_at_once(lag(name))


def pending(name: str) -> bool:
    """Whether the log holds events consumer `name` has not handled yet."""
    return _pending(name)


def replay(name: str, *, from_seq: int) -> int:
    """Move consumer `name` back so that event `from_seq` is handled again, then catch up."""
    registry.get(name)
    ConsumerCursor.objects.update_or_create(name=name, defaults={"position": max(from_seq - 1, 0)})
    return drain(name)


@dataclass(frozen=True)
class ConsumerState:
    name: str
    position: int
    head: int
    lag: int
    failures: int
    last_error: str


def states() -> list[ConsumerState]:
    head = ChangeEvent.objects.aggregate(head=Max("seq"))["head"] or 0
    cursors = {cursor.name: cursor for cursor in ConsumerCursor.objects.all()}
    result = []
    for name in registry.names():
        cursor = cursors.get(name) or ConsumerCursor(name=name)
        behind = _events_after(cursor.position)
        result.append(
            ConsumerState(name, cursor.position, head, behind, cursor.failures, cursor.last_error)
        )
    return result
