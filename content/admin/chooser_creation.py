"""Chooser "create" URLs with no creation form behind them.

Wagtail's generic chooser serves a ``create/`` URL for every chooser, snippets' included,
whether or not the chooser offers a creation form. A snippet chooser offers none (its
objects are made in the snippet's own add view, under its own checks), and a POST to that
URL raised on the missing form: a 500.

Invariant, once :func:`install` ran (content's ``ready``): a chooser that offers no
creation form answers 404 at its ``create/`` URL, GET or POST, before anything else is
read; a chooser that offers one (images, documents) is untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from wagtail.admin.views.generic.chooser import CreateViewMixin


def install() -> None:
    """Patch, once, the dispatch of Wagtail's chooser creation views."""
    original: Callable = CreateViewMixin.dispatch
    if getattr(original, "refuses_without_form", False):
        return

    @functools.wraps(original)
    def dispatch(self: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.get_creation_form_class() is None:
            raise Http404("this chooser creates nothing")
        return original(self, request, *args, **kwargs)

    dispatch.refuses_without_form = True  # type: ignore[attr-defined]
    CreateViewMixin.dispatch = dispatch  # type: ignore[method-assign]
