"""Best bets in the admin, scoped by :mod:`search.permissions`.

Invariants:
* the listing, the chooser, the bulk actions and every URL that names a best bet see only
  those the user manages; any other id is a 404 there, as if it did not exist;
* a user who manages best bets through branch roles only chooses one of their branches
  (a best bet for every branch is not theirs to make), and a POSTed branch outside them
  is a form error.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from content.admin.scoped import (
    guard_object_urls,
    scoped_chooser_viewset,
    scoped_delete_bulk_action,
)
from content.models import Branch
from search.models import PromotedResult
from search.permissions import policy, reviewed_branches


def managed(request: HttpRequest) -> QuerySet[PromotedResult]:
    """The best bets `request`'s user manages: may change (Django's permission for every
    best bet, or a branch role for their branches'). Listing, choosing, opening and
    bulk-deleting all ask this one question, so a view-only or add-only permission
    manages none it did not make through a role."""
    found = policy.instances_user_has_permission_for(request.user, "change")
    return found.select_related("article", "branch")


class PromotedResultForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("branch")
        action = "change" if self.instance.pk else "add"
        if field is None or policy.everywhere(self.for_user, action):
            return
        reviewed = Branch.objects.filter(code__in=reviewed_branches(self.for_user))
        field.queryset = reviewed.order_by("path")
        field.required = True
        field.help_text = gettext_lazy("Only for readers in this branch and below.")


def unmanaged_refused(request: HttpRequest, pk: str) -> None:
    """A best bet the user does not manage is a 404, as if it did not exist."""
    if not managed(request).filter(pk=pk).exists():
        raise Http404


PromotedResultDeleteBulkAction = scoped_delete_bulk_action(PromotedResult, managed)


class PromotedResultViewSet(SnippetViewSet):
    model = PromotedResult
    edit_handler = ObjectList(PromotedResult.panels, base_form_class=PromotedResultForm)
    icon = "pick"
    menu_label = gettext_lazy("Best bets")
    list_display = ("query", "article", "branch", "order")
    list_filter = ("branch",)
    search_fields = ("query",)
    chooser_viewset_class = scoped_chooser_viewset(managed)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PromotedResult]:
        return managed(request)

    def get_urlpatterns(self) -> list:
        return guard_object_urls(super().get_urlpatterns(), unmanaged_refused)
