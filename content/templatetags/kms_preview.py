"""Template tags for editors' previews (read through content.selectors, never by models)."""

from __future__ import annotations

from django import template

from content.models import BranchOverride
from content.selectors import EffectiveArticle, effective_article_preview

register = template.Library()


@register.simple_tag
def effective_preview(override: BranchOverride) -> EffectiveArticle | None:
    """The effective article in the override's branch with `override` as drafted."""
    return effective_article_preview(override)
