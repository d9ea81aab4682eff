"""Thin tasks: webhooks (each takes a subscription id and re-reads the database) and the
query log's upkeep.

Where tasks run eagerly (the embedded default) a task would run in the thread that asked
for it — an editor's publish request. So there sending goes to a small pool of background
threads of the process instead: a publish never waits on a receiver, in any run mode.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connection

from api import rollup, services, webhooks

logger = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_running: set[Future] = set()


@shared_task(ignore_result=True, soft_time_limit=90, time_limit=120)
def subscription_deliver(subscription_id: int) -> None:
    webhooks.subscription_deliver(subscription_id)


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def query_log_prune() -> None:
    """Periodic: forget logged queries past their retention."""
    if pruned := services.query_log_prune():
        logger.info("query log pruned rows=%d", pruned)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=280)
def query_days_rollup() -> None:
    """Periodic: count the calls logged since the last run into the cockpit's days."""
    counted = rollup.query_log_count()
    if counted:
        logger.info("query log counted calls=%d", counted)


@shared_task(ignore_result=True, soft_time_limit=30, time_limit=60)
def webhooks_sweep() -> None:
    """Periodic: send what is due (retries after their backoff, lost nudges)."""
    for subscription_id in webhooks.subscriptions_due():
        deliver_soon(subscription_id)


def _in_background(subscription_id: int) -> None:
    close_old_connections()
    try:
        webhooks.subscription_deliver(subscription_id)
    except Exception:
        logger.exception("webhook sending failed subscription=%s", subscription_id)
    finally:
        connection.close()


def deliver_soon(subscription_id: int) -> None:
    """Send the subscription's due deliveries, off the calling thread."""
    global _pool  # one pool per process
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        subscription_deliver.delay(subscription_id)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kms-webhooks")
    future = _pool.submit(_in_background, subscription_id)
    _running.add(future)
    future.add_done_callback(_running.discard)


def background_wait(timeout: float) -> bool:
    """Wait for the background senders to be idle (tests, the shell); True if they are."""
    for future in list(_running):
        try:
            future.result(timeout=timeout)
        except TimeoutError:
            return False
    return not _running
