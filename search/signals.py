"""Receivers: a glossary, best bet or product change reaches every process's next query;
articles the indexer committed are embedded (ranking by meaning)."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from content.models import Product
from search import glossary, tasks
from search.dispatch import passages_indexed
from search.models import PromotedResult, SynonymGroup

logger = logging.getLogger(__name__)


@receiver([post_save, post_delete], sender=SynonymGroup)
@receiver([post_save, post_delete], sender=PromotedResult)
@receiver([post_save, post_delete], sender=Product)
def glossary_changed(**kwargs: Any) -> None:
    glossary.changed()


@receiver(passages_indexed)
def passages_embed_soon(keys: list[str], **kwargs: Any) -> None:
    """Where tasks run eagerly, in the thread that committed (after its transaction: no
    lock is held while the model runs); otherwise on a worker."""
    try:
        tasks.passages_embed.delay(keys)
    except Exception:
        # the words are indexed; kms_embed embeds what this missed
        logger.exception("passages not embedded keys=%d; kms_embed embeds them later", len(keys))
