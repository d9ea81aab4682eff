"""Receivers: a glossary, best bet or product change reaches every process's next query;
articles the indexer committed are embedded (ranking by meaning)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from content.models import Product
from search import glossary, tasks
from search.dispatch import passages_indexed
from search.models import EmbeddingBacklog, PromotedResult, SynonymGroup

logger = logging.getLogger(__name__)


@receiver([post_save, post_delete], sender=SynonymGroup)
@receiver([post_save, post_delete], sender=PromotedResult)
@receiver([post_save, post_delete], sender=Product)
def glossary_changed(**kwargs: Any) -> None:
    glossary.changed()


@receiver(passages_indexed)
def passages_embed_soon(keys: list[str], **kwargs: Any) -> None:
    """Where tasks run eagerly, at once in the thread that committed (after its
    transaction: no lock is held while the model runs) when they are at most a batch (an
    editor's publish, the demo, a small import); a larger number (an import, a release)
    waits in the backlog the scheduler embeds a batch at a tick, and ranks by its words
    meanwhile. Otherwise on a worker of the embedding queue, a batch a task, whatever
    their number."""
    if settings.CELERY_TASK_ALWAYS_EAGER and len(keys) > tasks.EMBED_BATCH:
        EmbeddingBacklog.queue(keys)
        logger.warning(
            "passages queued articles=%d: they rank by words until embedded, %d a tick by "
            "the scheduler (runserver), or all at once by manage.py kms_embed",
            len(keys),
            tasks.WAITING_BATCH,
        )
        return
    try:
        for start in range(0, len(keys), tasks.EMBED_BATCH):
            batch = keys[start : start + tasks.EMBED_BATCH]
            tasks.passages_embed.apply_async((batch,), queue=tasks.EMBEDDING_QUEUE)
    except Exception:
        # the words are indexed; kms_embed embeds what this missed
        logger.exception("passages not embedded keys=%d; kms_embed embeds them later", len(keys))
