"""Appending to the change log, and the after-commit nudge to its consumers.

Invariant: nothing here talks to a consumer, a broker or a search engine inside the
transaction; the only thing scheduled is one ``consumers_nudge`` per transaction, run by
``transaction.on_commit`` — discarded, with the events, if the transaction rolls back.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from content.models import Action, Branch, ChangeEvent, ChangeLogHead

logger = logging.getLogger(__name__)

_current_release: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "kms_release", default=None
)


@contextlib.contextmanager
def release_context(release_id: int) -> Iterator[None]:
    """Every event appended inside the block belongs to release `release_id`."""
    token = _current_release.set(release_id)
    try:
        yield
    finally:
        _current_release.reset(token)


def _lock_head() -> None:
    # Held until commit: appends (and so seq values) are ordered by commit.
    ChangeLogHead.objects.select_for_update().filter(pk=1).exists()


def consumers_nudge() -> None:
    """Ask every consumer to catch up; a lost nudge is caught by the periodic sweep."""
    from content.tasks import consumers_run_all

    try:
        consumers_run_all.delay()
    except Exception as error:  # noqa: BLE001  (any broker failure: the sweep delivers)
        logger.warning("consumers nudge failed error=%r; the sweep will deliver", error)


def _nudge_after_commit() -> None:
    if not any(callback is consumers_nudge for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(consumers_nudge)


def all_branch_codes() -> list[str]:
    return sorted(Branch.objects.values_list("code", flat=True))


def branch_and_descendants(branch: Branch) -> list[str]:
    below = Branch.objects.filter(path__startswith=f"{branch.path}/")
    return sorted([branch.code, *below.values_list("code", flat=True)])


def change_append(
    *,
    article_key: str,
    action: Action,
    branches: Iterable[str],
    revision_id: int | None = None,
) -> ChangeEvent:
    """Record one reader-visible change; call inside the transaction that made it."""
    _lock_head()
    event = ChangeEvent.objects.create(
        article_key=article_key,
        action=action,
        branches=sorted(set(branches)),
        revision_id=revision_id,
        release_id=_current_release.get(),
    )
    _nudge_after_commit()
    return event


def changes_append_bulk(events: list[ChangeEvent]) -> list[ChangeEvent]:
    """Many events at once (bulk import); same ordering and nudge guarantees."""
    _lock_head()
    release_id = _current_release.get()
    for event in events:
        event.release_id = release_id
    created = ChangeEvent.objects.bulk_create(events, batch_size=1000)
    _nudge_after_commit()
    return created
