"""One holder at a time for periodic work that could overlap itself (a slow run still
going when beat fires again): a lock in the shared cache, which every process sees."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from django.core.cache import cache


@contextlib.contextmanager
def single_run(name: str, *, timeout: int) -> Iterator[bool]:
    """Yield True for the one caller holding lock `name` (shared cache: every process in
    services mode); the lock expires after `timeout` seconds should its holder die."""
    key, token = f"kms:task-lock:{name}", uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=timeout)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
