"""Receivers: a glossary, best bet or product change reaches every process's next query."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from content.models import Product
from search import glossary
from search.models import PromotedResult, SynonymGroup


@receiver([post_save, post_delete], sender=SynonymGroup)
@receiver([post_save, post_delete], sender=PromotedResult)
@receiver([post_save, post_delete], sender=Product)
def glossary_changed(**kwargs: Any) -> None:
    glossary.changed()
