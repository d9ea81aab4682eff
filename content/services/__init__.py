"""Writes to the knowledge base: every change goes through a function in this package."""

from content.services.articles import article_upsert, knowledge_index
from content.services.outcome import Outcome
from content.services.overrides import override_rebase, override_upsert
from content.services.taxonomy import (
    branch_upsert,
    category_ensure,
    category_upsert,
    product_upsert,
)

__all__ = [
    "Outcome",
    "article_upsert",
    "branch_upsert",
    "category_ensure",
    "category_upsert",
    "knowledge_index",
    "override_rebase",
    "override_upsert",
    "product_upsert",
]
