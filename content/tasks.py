"""Thin Celery tasks of the content app; each calls a management command or a service."""

from __future__ import annotations

import io

from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def scheduled_publishing_run() -> None:
    """Apply Wagtail's scheduled go-live and expiry that have come due."""
    call_command("publish_scheduled", stdout=io.StringIO())


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def overrides_stale_notify(override_ids: list[int]) -> None:
    """Tell each stale override's branch editors what HQ changed under them."""
    from content.notifications import stale_overrides_notify

    stale_overrides_notify(override_ids)
