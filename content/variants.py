"""What the search index holds of an article: its distinct variants, as plain text.

Pure data (no Django): variants are handed to other processes to be analysed in parallel
(``content.parallel``), so this module imports nothing that needs settings.
:func:`content.selectors.article_variants` computes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

INHERITED = "*"  # the branch code of the variant every branch without its own one reads


@dataclass(frozen=True)
class VariantText:
    """What one variant of an article says, as plain text with ``{{ branch.x }}``
    placeholders as written: the fields of :class:`content.selectors.EffectiveArticle` the index
    holds, resolved by the same :func:`~content.resolution.resolve`."""

    key: str
    title: str
    summary: str
    text: str
    questions: list[str]
    category: str
    products: list[str]
    tags: list[str]
    channels: list[str]
    audience: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class Variant:
    """One distinct text of an article and the branches that read it.

    ``branches`` is ``("*",)`` for HQ's text as inherited: every branch except
    ``excluded`` (those an override chain gives other text, or hides it from). The
    article's text keeps its ``{{ branch.x }}`` placeholders: variables never multiply
    variants, a reader's values are filled in when the text is shown.
    """

    article: VariantText
    branches: tuple[str, ...]
    excluded: tuple[str, ...] = ()
