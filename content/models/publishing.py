"""What publishable content models share."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import transaction

_publishing: contextvars.ContextVar[bool] = contextvars.ContextVar("kms_publishing", default=False)


@contextlib.contextmanager
def publishing_block() -> Iterator[None]:
    """One transaction for a publish or unpublish, recognised by :func:`publishing`."""
    with transaction.atomic():
        token = _publishing.set(True)
        try:
            yield
        finally:
            _publishing.reset(token)


def publishing() -> bool:
    """Whether the caller runs inside :func:`publishing_block`."""
    return _publishing.get()


class AtomicPublishing:
    """Makes ``publish()`` / ``unpublish()`` atomic.

    Wagtail's publish actions are not atomic themselves, and the snapshot receivers
    (content/signals.py) refuse to run outside a transaction: so whoever calls these
    methods directly — a revision's ``publish()``, a workflow approval — gets the live
    state, the snapshot and its change event committed together. Put it first in the
    bases, before Wagtail's ``Page`` or ``DraftStateMixin``.
    """

    def publish(self, *args: Any, **kwargs: Any) -> Any:
        with publishing_block():
            return super().publish(*args, **kwargs)  # type: ignore[misc]

    def unpublish(self, *args: Any, **kwargs: Any) -> Any:
        with publishing_block():
            return super().unpublish(*args, **kwargs)  # type: ignore[misc]
