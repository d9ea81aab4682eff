"""What the admin's page chooser offers branch users.

Invariant: a user with no page permissions (a branch editor or reviewer, who chooses an HQ
article to override) is offered the pages readers see — live ones only — under the titles
readers see: HQ's drafts, and the draft titles of live articles, stay HQ's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from wagtail.permission_policies.pages import PagePermissionPolicy

# The attribute KnowledgeArticle.get_admin_display_title prefers when it is set.
READERS_TITLE = "readers_title"
PAGE_ACTIONS = ("add", "change", "publish")


def pages_for_chooser(pages: QuerySet, request: Any) -> QuerySet:
    """``construct_page_chooser_queryset`` hook: live pages by their live titles for users
    who edit no pages; everyone else sees Wagtail's own choice."""
    if PagePermissionPolicy().user_has_any_permission(request.user, PAGE_ACTIONS):
        return pages
    return pages.filter(live=True).annotate(**{READERS_TITLE: F("title")})
