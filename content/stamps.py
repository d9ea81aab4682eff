"""Values each process keeps in memory until a stamp in the shared cache says they changed.

Invariant: once a change to what a value is read from has committed, every process reads
the value afresh on its next use. :meth:`Stamped.changed` deletes the stamp at once and
again after the commit; a process reads the stamp *before* the value and keeps the value
under that stamp, and one that finds the stamp missing sets a new, never-used one — so a
value read before the commit is always held under a stamp the commit's delete removed.
A value read inside a transaction is not kept: it may hold what that transaction wrote
and then rolled back. A cache that drops the stamp costs one fresh read, nothing more.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class Stamped(Generic[T]):
    def __init__(self, name: str, read: Callable[[], T]) -> None:
        self.key = f"kms:stamp:{name}"
        self._read = read
        self._held: tuple[str, T] | None = None
        self._lock = threading.Lock()

    def _stamp(self) -> str | None:
        stamp = cache.get(self.key)
        if stamp is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            stamp = cache.get(self.key)
        return stamp

    def get(self) -> T:
        stamp = self._stamp()
        held = self._held
        if stamp is not None and held is not None and held[0] == stamp:
            return held[1]
        value = self._read()
        if stamp is not None and not transaction.get_connection().in_atomic_block:
            with self._lock:
                self._held = (stamp, value)
        return value

    def changed(self) -> None:
        """Call in the transaction that changes the value's source."""
        cache.delete(self.key)
        transaction.on_commit(lambda: cache.delete(self.key))
