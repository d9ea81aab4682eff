"""Snippet views that see only what a user may work on.

Wagtail's snippet chooser lists, and its bulk delete names, every instance of the model it
is given ids of, and its object views trust the ``pk`` in their URL. For a model whose
instances belong to branches (overrides, best bets), the chooser and bulk delete are built
here from one function of the request giving the instances the user may work on, and
every object URL goes through one guard; an id that is no id, or one the user may not
work on, is a 404 there, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_list_or_404
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser

from content.admin.chosen_ids import is_id

Scope = Callable[[HttpRequest], QuerySet]


def guard_object_urls(
    patterns: list, refusal: Callable[[HttpRequest, str], HttpResponse | None]
) -> list:
    """`patterns` (a viewset's) with every view whose URL names an instance (``pk``)
    guarded, whatever the view (one Wagtail adds later too): a pk that is no id is a 404
    before anything is looked up; otherwise ``refusal(request, pk)`` answers instead of
    the view when it gives a response (or raises Http404)."""

    def guarding(view: Any) -> Any:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            pk = unquote(str(kwargs["pk"]))
            if not is_id(pk):
                raise Http404
            return refusal(request, pk) or view(request, *args, **kwargs)

        return guarded

    for pattern in patterns:
        if "pk" in pattern.pattern.regex.groupindex:
            pattern.callback = guarding(pattern.callback)
    return patterns


def scoped_chooser_viewset(scope: Scope) -> type[chooser.SnippetChooserViewSet]:
    """A snippet chooser viewset whose every view sees only ``scope(request)``."""

    class Choose(chooser.ChooseView):
        def get_object_list(self) -> QuerySet:
            return scope(self.request)

    class ChooseResults(chooser.ChooseResultsView):
        def get_object_list(self) -> QuerySet:
            return scope(self.request)

    class Chosen(chooser.SnippetChosenView):
        def get_object(self, pk: Any) -> Model:
            found = scope(self.request)
            if not is_id(pk):
                raise Http404
            try:
                return found.get(pk=pk)
            except found.model.DoesNotExist as error:
                raise Http404 from error

    class ChosenMultiple(chooser.SnippetChosenMultipleView):
        def get_objects(self, pks: list[str]) -> QuerySet:
            found = scope(self.request).filter(pk__in=[pk for pk in pks if is_id(pk)])
            if pks and not found.exists():
                raise Http404
            return found

    class ScopedChooserViewSet(chooser.SnippetChooserViewSet):
        choose_view_class = Choose
        choose_results_view_class = ChooseResults
        chosen_view_class = Chosen
        chosen_multiple_view_class = ChosenMultiple

    return ScopedChooserViewSet


def scoped_delete_bulk_action(model: type[Model], scope: Scope) -> type[DeleteBulkAction]:
    """The snippets' bulk delete for `model`, seeing only ``scope(request)``; register it
    with ``order=1`` so it replaces Wagtail's own (order 0) for that model."""

    class ScopedDeleteBulkAction(DeleteBulkAction):
        models = [model]

        def get_queryset(self, model: type, object_ids: list[str]) -> list[Model]:  # type: ignore[override]
            ids = [pk for pk in object_ids if is_id(pk)]
            return get_list_or_404(scope(self.request), pk__in=ids)

    return ScopedDeleteBulkAction
