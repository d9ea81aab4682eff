"""Logging readers' queries without slowing the answer to them.

Invariants:
* :func:`record` only appends to this process's buffer (microseconds); a background
  thread writes the buffer in one bulk insert every ``KMS_ANALYTICS_FLUSH_SECONDS``, and
  the process writes what is left when it exits. A process killed outright loses at most
  that interval's queries — analytics, not records anyone relies on;
* the buffer is bounded (``BUFFER_MAX``): while the database cannot take the rows, the
  oldest are dropped (and counted in the log), never memory without end;
* a buffer inherited through ``fork`` is the parent's: a forked process starts its own.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from api.models import QueryKind, QueryLog, masked
from api.models.analytics import TOP_KEYS
from api.models.feedback import QUERY_MAX_LENGTH

logger = logging.getLogger(__name__)
BUFFER_MAX = 50_000
BATCH = 1_000


class _Buffer:
    def __init__(self) -> None:
        self.rows: deque[QueryLog] = deque()
        self.lock = threading.Lock()
        self.dropped = 0
        self.pid = os.getpid()
        self.thread: threading.Thread | None = None
        self.exit_flush = False


_buffer = _Buffer()


def _current() -> _Buffer:
    global _buffer  # one buffer per process
    if _buffer.pid != os.getpid():
        _buffer = _Buffer()
    return _buffer


def record(
    kind: QueryKind,
    *,
    query: str,
    branch: str,
    channel: str | None,
    key_name: str,
    result_count: int,
    top_keys: Sequence[str],
    latency_ms: float,
    confidence: float | None = None,
    answered: bool | None = None,
    query_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Log one call (its query masked) and return the id the client joins feedback by:
    `query_id` (the API's, :mod:`api.query_ids`), else a new random one."""
    row = QueryLog(
        id=query_id or uuid.uuid4(),
        kind=kind,
        query=masked(query)[:QUERY_MAX_LENGTH],
        branch_code=branch,
        channel=channel or "",
        key_name=key_name,
        result_count=result_count,
        top_keys=list(top_keys[:TOP_KEYS]),
        confidence=confidence,
        answered=answered,
        latency_ms=round(latency_ms, 2),
        created_at=timezone.now(),
    )
    buffer = _current()
    with buffer.lock:
        if len(buffer.rows) >= BUFFER_MAX:
            buffer.rows.popleft()
            buffer.dropped += 1
        buffer.rows.append(row)
    _start_writer(buffer)
    return row.id


def flush() -> int:
    """Write the buffered rows now, in this thread; how many were written."""
    buffer = _current()
    written = 0
    while True:
        with buffer.lock:
            batch = [buffer.rows.popleft() for _ in range(min(BATCH, len(buffer.rows)))]
            dropped, buffer.dropped = buffer.dropped, 0
        if dropped:
            logger.warning("query log buffer full dropped=%d", dropped)
        if not batch:
            return written
        try:
            QueryLog.objects.bulk_create(batch)
        except DatabaseError:
            with buffer.lock:  # put back in front, keep the bound
                buffer.rows.extendleft(reversed(batch))
                while len(buffer.rows) > BUFFER_MAX:
                    buffer.rows.popleft()
                    buffer.dropped += 1
            logger.warning("query log not written rows=%d", len(batch), exc_info=True)
            return written
        written += len(batch)


def discard() -> int:
    """Forget the rows not written yet (a test starting afresh); how many."""
    buffer = _current()
    with buffer.lock:
        forgotten = len(buffer.rows)
        buffer.rows.clear()
        buffer.dropped = 0
    return forgotten


def _start_writer(buffer: _Buffer) -> None:
    if settings.KMS_ANALYTICS_FLUSH_SECONDS is None or buffer.thread is not None:
        return
    with buffer.lock:
        if buffer.thread is not None:
            return
        buffer.thread = threading.Thread(
            target=_write_every, args=(buffer,), name="kms-query-log", daemon=True
        )
    buffer.thread.start()
    if not buffer.exit_flush:
        buffer.exit_flush = True
        atexit.register(flush)


def _write_every(buffer: _Buffer) -> None:
    """Flush every ``KMS_ANALYTICS_FLUSH_SECONDS`` (read each time) until it is None; a
    failure is logged and the next round tries again."""
    while settings.KMS_ANALYTICS_FLUSH_SECONDS is not None:
        time.sleep(settings.KMS_ANALYTICS_FLUSH_SECONDS)
        if settings.KMS_ANALYTICS_FLUSH_SECONDS is None:
            break
        if not buffer.rows:
            continue  # nothing to write: the database is not touched
        try:
            close_old_connections()
            flush()
        except Exception:
            logger.exception("query log writer failed; it tries again")
    with buffer.lock:
        buffer.thread = None
