"""What publishable content models share."""

from __future__ import annotations

from typing import Any

from django.db import transaction


class AtomicPublishing:
    """Makes ``publish()`` / ``unpublish()`` atomic.

    Wagtail's publish actions are not atomic themselves, and the snapshot receivers
    (content/signals.py) refuse to run outside a transaction: so whoever calls these
    methods directly — a revision's ``publish()``, a workflow approval — gets the live
    state, the snapshot and its change event committed together. Put it first in the
    bases, before Wagtail's ``Page`` or ``DraftStateMixin``.
    """

    def publish(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().publish(*args, **kwargs)  # type: ignore[misc]

    def unpublish(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().unpublish(*args, **kwargs)  # type: ignore[misc]
