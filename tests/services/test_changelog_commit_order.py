"""On PostgreSQL, change-log `seq` order is commit order, even with concurrent writers.

Two writers append on their own connections (threads). Writer A appends and keeps its
transaction open; writer B then appends and tries to commit; A commits last. A reader that
polls the log between those steps, like a consumer following its cursor, must never find a
committed event below a `seq` it has already seen: if B could commit its (higher) `seq`
before A's lower one, a consumer would pass A's event and never see it.

The steps are sequenced by events and by asking PostgreSQL whether B is blocked by A, not
by sleeping: the outcome never depends on timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction

from content import tasks
from content.models import Action, ChangeEvent, ChangeLogHead
from content.services.changelog import change_append
from tests.services.threads import TIMEOUT, backend_pid, wait_until

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@dataclass
class Writer:
    """One thread appending one event in its own transaction, on its own connection."""

    key: str
    before_commit: Callable[[], None] = lambda: None
    pid: int | None = None
    seq: int | None = None
    error: BaseException | None = None
    started: threading.Event = field(default_factory=threading.Event)
    appended: threading.Event = field(default_factory=threading.Event)
    committed: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            self.pid = backend_pid()
            self.started.set()
            with transaction.atomic():
                event = change_append(
                    article_key=self.key, action=Action.PUBLISHED, branches=["HQ"]
                )
                self.seq = event.seq
                self.appended.set()
                self.before_commit()
            self.committed.set()
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            self.error = error
        finally:
            connection.close()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"writer-{self.key}", daemon=True)
        thread.start()
        return thread


class Reader:
    """A consumer's view of the log: committed events, read in autocommit between steps."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.late: list[tuple[int, int]] = []  # (seq found late, highest seq seen before)

    def read(self) -> None:
        committed = set(ChangeEvent.objects.values_list("seq", flat=True))
        high = max(self.seen, default=0)
        self.late += [(seq, high) for seq in sorted(committed - self.seen) if seq < high]
        self.seen |= committed


@pytest.fixture(autouse=True)
def no_consumers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writers' after-commit nudge would run every consumer eagerly in their threads."""
    monkeypatch.setattr(tasks.consumers_run_all, "delay", lambda *args, **kwargs: None)


@pytest.fixture
def threads() -> Iterator[list[threading.Thread]]:
    started: list[threading.Thread] = []
    yield started
    for thread in started:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), f"{thread.name} did not finish"


def test_seq_order_is_commit_order_under_two_concurrent_writers(
    threads: list[threading.Thread],
) -> None:
    ChangeLogHead.objects.get_or_create(pk=1)
    release_a = threading.Event()
    a = Writer("KB-900001", before_commit=lambda: release_a.wait(TIMEOUT))
    b = Writer("KB-900002")
    reader = Reader()

    threads.append(a.start())
    wait_until(lambda: a.appended.is_set() or a.error is not None, "A to append")
    threads.append(b.start())
    wait_until(lambda: b.started.is_set() or b.error is not None, "B to connect")

    # B either commits (nothing orders it after A) or waits for A's transaction to end.
    def b_blocked_by_a() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [a.pid, b.pid])
            return bool(cursor.fetchone()[0])

    wait_until(
        lambda: b.committed.is_set() or b.error is not None or b_blocked_by_a(),
        "B to commit or to wait for A",
    )
    reader.read()

    release_a.set()
    wait_until(lambda: a.committed.is_set() or a.error is not None, "A to commit")
    reader.read()
    wait_until(lambda: b.committed.is_set() or b.error is not None, "B to commit")
    reader.read()

    assert (a.error, b.error) == (None, None)
    assert reader.seen == {a.seq, b.seq}
    assert not reader.late, (
        "a reader that had seen seq N later found committed events below N "
        f"(seq, N): {reader.late}; appends are not ordered by commit"
    )
    assert a.seq < b.seq  # A committed first, so its event comes first in the log
