"""Spread pure, CPU-bound work (Markdown parsing) over the machine's cores for big imports.

Invariant: results come back in input order and equal ``list(map(fn, items))``; small
inputs, single-core machines and daemon processes (a Celery prefork worker's children,
which may not start processes of their own) are mapped in-process. Workers are *spawned*, not
forked, so no database connection is ever shared with them — `fn` must be a pure,
module-level function of picklable arguments.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

THRESHOLD = 400  # below this, starting the workers costs more than it saves
_pool: ProcessPoolExecutor | None = None


def _workers() -> int:
    if multiprocessing.current_process().daemon:
        return 1  # "daemonic processes are not allowed to have children"
    return min(os.cpu_count() or 1, 8)


def _executor() -> ProcessPoolExecutor:
    global _pool  # one pool per process, created on the first big import
    if _pool is None:
        _pool = ProcessPoolExecutor(_workers(), mp_context=multiprocessing.get_context("spawn"))
    return _pool


def pmap(fn: Callable[..., T], items: Sequence[Any]) -> list[T]:
    return list(pmap_ahead(fn, items))


def pmap_ahead(fn: Callable[..., T], items: Sequence[Any]) -> Iterator[T]:
    """Like :func:`pmap`, but the workers start at once and results are handed out as
    the caller asks for them — so the caller can write to the database meanwhile."""
    if len(items) < THRESHOLD or _workers() < 2:
        return map(fn, items)
    chunksize = max(16, len(items) // (_workers() * 8))
    return _executor().map(fn, items, chunksize=chunksize)


def pmap_stream(fn: Callable[..., T], items: Iterable[Any], *, total: int) -> Iterator[T]:
    """Like :func:`pmap_ahead` for items made one by one (a database read a chunk at a
    time): at most two per worker are in flight, so memory stays bounded whatever the
    input's size. `total` is how much work the items hold in all (articles, say): below
    the threshold, or on one core, they are mapped in-process."""
    if total < THRESHOLD or _workers() < 2:
        yield from map(fn, items)
        return
    pending: deque = deque()
    for item in items:
        pending.append(_executor().submit(fn, item))
        if len(pending) >= 2 * _workers():
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
