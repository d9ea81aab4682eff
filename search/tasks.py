"""Thin Celery tasks of the search app: each takes primitive ids and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from search import indexing, vectors
from search.models import EmbeddingBacklog

logger = logging.getLogger(__name__)


# The queue passage embedding goes to where tasks run on workers: a large import's
# thousands of articles take minutes there, and must not hold up the default queue's
# index updates and webhooks (docker-compose runs a worker for each).
EMBEDDING_QUEUE = "embedding"
# Articles a task embeds: about 15 s on one core, 0.1 s an article.
EMBED_BATCH = 150
# Waiting articles the scheduler embeds at a tick (every 10 s): a few seconds, since in the
# embedded default the scheduler's thread runs every periodic task in turn.
WAITING_BATCH = 32


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def passages_embed(keys: list[str]) -> None:
    """Embed the passages of articles `keys` that have no vector yet (at most
    :data:`EMBED_BATCH`), so that they rank by meaning from their next search on;
    whatever fails is left to ``kms_embed``."""
    _embedded(keys)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)
def passages_embed_waiting() -> None:
    """Embed the passages of the :data:`WAITING_BATCH` articles longest in the backlog
    (:class:`search.models.EmbeddingBacklog`) and take them out of it — unless queued again
    meanwhile (their newer text waits for the next tick), or the model could not embed
    them (they wait for it)."""
    read_at = timezone.now()
    waiting = EmbeddingBacklog.objects.order_by("queued_at", "key")
    keys = list(waiting.values_list("key", flat=True)[:WAITING_BATCH])
    if keys and _embedded(keys):
        EmbeddingBacklog.objects.filter(key__in=keys, queued_at__lte=read_at).delete()


def _embedded(keys: list[str]) -> bool:
    """Embed and store the passages of articles `keys` that have none; whether it could."""
    try:
        embedded = vectors.embed_and_store(vectors.unstored(indexing.passages(keys)))
    except vectors.ModelUnavailable as error:
        logger.warning("passages not embedded (%s): kms_embed embeds them later", error)
        return False
    if embedded:
        logger.info("passages embedded count=%d articles=%d", embedded, len(keys))
    return True
