"""Writes to the knowledge base: every change goes through a function in this package.

Each one takes the acting :class:`content.actors.Actor` and runs as one content
transaction (content.services.transactions).
"""

from content.services.articles import (
    article_draft_for_question,
    article_question_add,
    article_upsert,
    knowledge_index,
)
from content.services.branches import (
    branch_delete,
    branch_save,
    branch_upsert,
    head_office_ensure,
)
from content.services.outcome import Outcome
from content.services.overrides import override_rebase, override_upsert
from content.services.publishing import publish, unpublish
from content.services.taxonomy import category_ensure, category_upsert, product_upsert

__all__ = [
    "Outcome",
    "article_draft_for_question",
    "article_question_add",
    "article_upsert",
    "branch_delete",
    "branch_save",
    "branch_upsert",
    "category_ensure",
    "category_upsert",
    "head_office_ensure",
    "knowledge_index",
    "override_rebase",
    "override_upsert",
    "product_upsert",
    "publish",
    "unpublish",
]
