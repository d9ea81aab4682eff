"""Thin Celery tasks: each takes primitive ids, re-reads the database and calls a service.

Tasks are idempotent and have time limits; only a consumer's named transient errors are
retried with backoff (anything else is recorded on its cursor and picked up again by the
periodic sweep, so no event is ever skipped).
"""

from __future__ import annotations

import io

from celery import shared_task
from django.core.management import call_command
from django.db import transaction

from content import consumers


@shared_task(bind=True, ignore_result=True, soft_time_limit=60, time_limit=90, max_retries=8)
def consumer_run(self: object, name: str) -> None:
    """Let consumer `name` catch up with the change log."""
    consumer = consumers.registry.get(name)
    try:
        while consumers.catch_up(name):
            pass
    except consumer.transient_errors as error:
        retries = self.request.retries  # type: ignore[attr-defined]
        raise self.retry(exc=error, countdown=min(2**retries, 60)) from error  # type: ignore[attr-defined]


@shared_task(ignore_result=True, soft_time_limit=30, time_limit=60)
def consumers_run_all() -> None:
    """Fan out one catch-up per consumer (the after-commit nudge and the periodic sweep)."""
    for name in consumers.registry.names():
        consumer_run.delay(name)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def time_driven_changes_apply() -> None:
    """Scheduled go-live/expiry, effective dates and due releases, each atomically."""
    from content.services.releases import releases_due_apply
    from content.services.snapshots import effective_dates_apply

    with transaction.atomic():
        call_command("publish_scheduled", stdout=io.StringIO())
    effective_dates_apply()
    releases_due_apply()


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def overrides_stale_notify(override_ids: list[int]) -> None:
    """Tell each stale override's branch editors what HQ changed under them."""
    from content.notifications import stale_overrides_notify

    stale_overrides_notify(override_ids)
