"""Helpers for PostgreSQL tests with concurrent transactions, one thread (and connection) each.

Steps are sequenced with events and by asking PostgreSQL who waits for whom, never by
sleeping: a passing run's outcome never depends on timing. TIMEOUT is only reached when
something is broken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

TIMEOUT = 60.0


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def waits_for_a_lock(pid: int | None) -> bool:
    """Whether the backend `pid` is blocked by another transaction's lock."""
    if pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return bool(cursor.fetchone()[0])


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


@dataclass
class Worker:
    """Runs `work` in a thread on its own database connection and keeps the outcome."""

    name: str
    work: Callable[[], Any]
    pid: int | None = None
    result: Any = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def _run(self) -> None:
        try:
            self.pid = backend_pid()
            self.result = self.work()
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            self.error = error
        finally:
            connection.close()
            self.done.set()

    def start(self) -> Worker:
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.thread.start()
        wait_until(lambda: self.pid is not None or self.done.is_set(), f"{self.name} to connect")
        return self

    def finish(self) -> Any:
        """Wait for the outcome; re-raise the worker's error."""
        wait_until(self.done.is_set, f"{self.name} to finish")
        if self.error is not None:
            raise self.error
        return self.result


class Pause:
    """A progress callback that stops the calling import once, until released."""

    def __init__(self, after: int = 1) -> None:
        self.after = after
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, done: int) -> None:
        if done >= self.after and not self.reached.is_set():
            self.reached.set()
            self.release.wait(TIMEOUT)
