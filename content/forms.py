"""Admin forms that the models name (Wagtail looks them up on the page class).

Invariant: a knowledge article is never aliased. An alias is a second page that mirrors
the first, key included, and an article's key is unique: readers, overrides and the change
log know an article by it. Copies are fine — a copy gets a key of its own.
"""

from __future__ import annotations

from typing import Any

from wagtail.admin.forms.pages import CopyForm


class ArticleCopyForm(CopyForm):
    """Wagtail's copy form without its "create an alias" choice (posted anyway, it is
    ignored: the form has no such field, so the view copies)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("alias", None)
