"""Thin Celery tasks: each takes primitive ids, re-reads the database and calls a service.

Tasks are idempotent and have time limits; only a consumer's named transient errors are
retried with backoff (anything else is recorded on its cursor and picked up again by the
periodic sweep, so no event is ever skipped). A periodic task that could overlap itself
(a slow run still going when beat fires again) runs under a lock and skips when held.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from content import consumers
from content.locks import single_run
from content.notifications import review_due_notify, stale_overrides_notify
from content.services.releases import releases_due_apply
from content.services.reminders import review_reminders_create, review_reminders_unsent
from content.services.scheduling import scheduled_publishing_apply
from content.services.snapshots import effective_dates_apply

logger = logging.getLogger(__name__)


# What the after-commit nudge lets a consumer do at once: where tasks run eagerly, in the
# thread that committed (an editor's publish), it must not pay for another's backlog — a
# 20,000-article import's — which the periodic sweep then works through.
NUDGE_MOST = 2000


@shared_task(bind=True, ignore_result=True, soft_time_limit=60, time_limit=90, max_retries=8)
def consumer_run(self: object, name: str, most: int | None = None) -> None:
    """Let consumer `name` catch up with the change log (or with about `most` events)."""
    consumer = consumers.registry.get(name)
    try:
        consumers.drain(name, most=most)
    except consumer.transient_errors as error:
        retries = self.request.retries  # type: ignore[attr-defined]
        raise self.retry(exc=error, countdown=min(2**retries, 60)) from error  # type: ignore[attr-defined]
    if most is not None and not settings.CELERY_TASK_ALWAYS_EAGER and consumers.pending(name):
        consumer_run.delay(name)  # a worker goes on with the rest at once


@shared_task(ignore_result=True, soft_time_limit=30, time_limit=60)
def consumers_run_all(most: int | None = None) -> None:
    """Fan out one catch-up per consumer: the periodic sweep (everything) and the
    after-commit nudge (``most``: a bounded share)."""
    for name in consumers.registry.names():
        try:
            consumer_run.delay(name, most)
        except Exception:
            # The change is committed and the failure is on the consumer's cursor (health
            # shows it); the other consumers still run, and the sweep retries this one.
            logger.exception("consumer failed name=%s; the sweep will retry", name)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def time_driven_changes_apply() -> None:
    """Scheduled go-live/expiry, effective dates and due releases, one object at a time."""
    with single_run("time-driven-changes", timeout=60) as acquired:
        if not acquired:
            logger.info("time-driven changes still running elsewhere; skipped")
            return
        scheduled_publishing_apply()
        effective_dates_apply()
        releases_due_apply()


# A stale override's e-mail the mail server refused is tried again after 1, 2, 4 … 32
# minutes (about an hour in all) on a worker.
STALE_NOTICE_RETRIES = 6


@shared_task(
    bind=True,
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
    max_retries=STALE_NOTICE_RETRIES,
)
def overrides_stale_notify(self: Task, override_ids: list[int]) -> None:
    """Tell each stale override's branch editors what HQ changed under them. On a worker,
    those the mail server refused are tried again later (:data:`STALE_NOTICE_RETRIES`
    times); where tasks run eagerly (the editor's request) they are not, and the override
    shows stale in the admin all the same."""
    refused = stale_overrides_notify(override_ids)
    if not refused or self.request.is_eager:
        return
    if self.request.retries >= self.max_retries:
        logger.error("stale overrides never notified overrides=%s", refused)
        return
    raise self.retry(args=(refused,), countdown=60 * 2**self.request.retries)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def review_reminders_send() -> tuple[int, int]:
    """Periodic: tell owners, once, that their articles' review date has passed (and send
    what the mail server refused last time); how many new reminders and e-mails."""
    with single_run("review-reminders", timeout=150) as mine:
        if not mine:
            return 0, 0
        made = review_reminders_create()
        return len(made), review_due_notify(review_reminders_unsent())
