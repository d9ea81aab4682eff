"""Per-process memos of reads the API makes on every request, allowed to lag by seconds.

Invariant: a memo answers from what it read at most ``KMS_API_MEMO_SECONDS`` ago (a
setting: 5 s) and reads again after that; it is never the source of a cached *answer*
(those are keyed by the article versions of content.cache), only of the checks around it
— who a key is, how the branches hang together — so a change to a key or to the branch
tree reaches every web process within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")


class Memo(Generic[T]):
    def __init__(self, *, size: int = 1024) -> None:
        self.size = size
        self._found: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        now = time.monotonic()
        found = self._found.get(key)
        if found is not None and now - found[0] < settings.KMS_API_MEMO_SECONDS:
            return found[1]
        value = read()
        with self._lock:
            if len(self._found) >= self.size:
                self._found.clear()  # bounded; a few fresh reads are cheap
            self._found[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
