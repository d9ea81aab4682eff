"""The transaction every content change runs in.

Invariants:
* a function decorated with :func:`content_transaction` runs atomically, and the change
  events it appends are written last (see :func:`content.services.changelog.changes_batch`),
  so the change-log head is the last lock it takes;
* when it is the outermost transaction, a deadlock, a serialisation failure or a unique
  violation caused by a concurrent writer rolls the whole attempt back and runs it again
  (a few times, with jittered backoff) — the user never sees the conflict, only, if it
  persists, the original error. Nested in an outer transaction it cannot retry (the outer
  transaction is lost with the conflict), so it lets the error through to the outermost.
* callers must therefore make the decorated function safe to run again from the start:
  it re-reads what it needs from the database.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from content.services.changelog import changes_batch

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: SQLSTATEs of conflicts between concurrent transactions that a fresh attempt resolves.
_CONFLICTS = {
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "23505": "unique_violation",  # two writers created the same row at once
}
ATTEMPTS = 4


def conflict_of(error: BaseException) -> str | None:
    """The name of the concurrency conflict `error` reports, or None for any other error.

    Django wraps the driver's errors (the SQLSTATE is on ``__cause__``); a ``COPY`` on the
    driver's own connection (content.services.inserts) raises them unwrapped.
    """
    for candidate in (error, error.__cause__):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str) and state in _CONFLICTS:
            return _CONFLICTS[state]
    return None


def content_transaction(func: Callable[P, T]) -> Callable[P, T]:
    """Run `func` as one content transaction (see the module docstring)."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        if not transaction.get_autocommit():  # nested: the outermost decides
            with transaction.atomic(), changes_batch():
                return func(*args, **kwargs)
        retrying = Retrying(
            retry=retry_if_exception(lambda error: conflict_of(error) is not None),
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_random_exponential(multiplier=0.05, max=2),
            before_sleep=before_sleep_log(logger, logging.WARNING),
            reraise=True,
        )
        for attempt in retrying:
            with attempt, transaction.atomic(), changes_batch():
                return func(*args, **kwargs)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    return run


_OWN_TRANSACTIONS = "kms_own_transactions"


def own_transactions(view: Callable[P, T]) -> Callable[P, T]:
    """Mark a view whose services are their own (retried) content transactions: the
    request is then not wrapped in one (kms.middleware.ContentTransactionMiddleware)."""
    setattr(view, _OWN_TRANSACTIONS, True)
    return view


def has_own_transactions(view: Callable[..., object]) -> bool:
    return bool(getattr(view, _OWN_TRANSACTIONS, False))
