"""The knowledge team's search tuning in the admin: the glossary and the best bets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from search import glossary
from search.best_bets_admin import PromotedResultDeleteBulkAction, PromotedResultViewSet
from search.models import PromotedResult, SynonymGroup
from search.permissions import policy

register_permission_policy(PromotedResult, policy)


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "list-ul"
    menu_label = gettext_lazy("Glossary")
    list_display = ("__str__", "note", "updated_at")
    search_fields = ("terms", "note")


class SearchTuningGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Search")
    menu_icon = "search"
    menu_order = 250
    items = (SynonymGroupViewSet, PromotedResultViewSet)


register_snippet(SearchTuningGroup)
hooks.register("register_bulk_action", PromotedResultDeleteBulkAction, order=1)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def glossary_saved(request: Any, instance: Any) -> None:
    """Say which new terms need ``kms_reindex`` before articles are found by them whole."""
    if not isinstance(instance, SynonymGroup):
        return
    if new := glossary.new_words(instance.term_list):
        messages.warning(
            request,
            _(
                "Synonyms apply at once. %(terms)s are new words to the search: articles "
                "holding them are found by them as whole words after the index is rebuilt "
                "(manage.py kms_reindex)."
            )
            % {"terms": "、".join(new)},
        )
