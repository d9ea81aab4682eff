"""The embedded default keeps time: Celery beat, in a thread of the serving process.

In services mode a Celery beat process sends the periodic tasks (scheduled go-live and
expiry, effective dates, due releases, the consumers' safety sweep) to the workers. The
embedded default has no broker and no beat, so ``runserver`` starts Celery's own
embedded beat service in a thread instead: with tasks eager, each periodic task runs in
that thread on schedule, the tasks and schedule of services mode
(``CELERY_BEAT_SCHEDULE``) and one more: embedding, a batch a tick, the articles
published too many at once to embed as they were (``search.tasks.passages_embed_waiting``;
workers embed everything as it comes). Invariant: at most one embedded scheduler per process, and
none at all when a real broker (``REDIS_URL``) is configured — beat belongs to services
mode's own process then.
"""

from __future__ import annotations

import logging
import threading

from celery.beat import EmbeddedService
from django.conf import settings

from kms.celery import app

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_service: object | None = None


def start_embedded_scheduler() -> bool:
    """Start the in-process beat if this is the embedded default; True if it runs now."""
    global _service  # one per process
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    with _lock:
        if _service is None:
            _service = EmbeddedService(
                app, thread=True, schedule_filename=str(settings.DATA_DIR / "celerybeat-schedule")
            )
            _service.start()
            names = ", ".join(sorted(settings.CELERY_BEAT_SCHEDULE))
            logger.info("embedded scheduler started tasks=%s", names)
    return True
