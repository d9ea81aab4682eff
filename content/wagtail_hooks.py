"""Registers the editors' admin with Wagtail: listings, snippets, views and menu items."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.admin import views
from content.admin.choosers import pages_for_chooser
from content.admin.listing import ArticleListingViewSet, TaxonomyGroup
from content.admin.overrides import (
    BranchOverrideDeleteBulkAction,
    BranchOverrideViewSet,
    offer_publishing_to_reviewers,
)
from content.admin.releases import ReleaseViewSet, release_action
from content.admin.reminders import ReviewDuePanel
from content.models import BranchOverride, BranchRole
from content.permissions import BranchOverridePermissionPolicy
from content.services.overrides import override_staleness_refresh

register_permission_policy(BranchOverride, BranchOverridePermissionPolicy(BranchOverride))
register_snippet(TaxonomyGroup)
register_snippet(BranchOverrideViewSet)
# Registered after wagtail.snippets' own delete action (order 0), so it replaces it for overrides.
hooks.register("register_bulk_action", BranchOverrideDeleteBulkAction, order=1)
hooks.register("construct_snippet_action_menu", offer_publishing_to_reviewers)
hooks.register("construct_page_chooser_queryset", pages_for_chooser)
register_snippet(ReleaseViewSet)


class BranchRoleViewSet(SnippetViewSet):
    model = BranchRole
    icon = "group"
    list_display = ["user", "branch", "role"]
    list_filter = ["branch", "role"]
    add_to_settings_menu = True


register_snippet(BranchRoleViewSet)


@hooks.register("register_admin_viewset")
def register_article_listing() -> ArticleListingViewSet:
    return ArticleListingViewSet("knowledge_articles")


@hooks.register("register_admin_urls")
def register_localisation_urls() -> list:
    return [
        path(
            "kms/articles/<int:article_id>/preview/",
            views.preview_as_branch,
            name="kms_preview_as_branch",
        ),
        path("kms/overrides/stale/", views.stale_report, name="kms_stale_report"),
        path("kms/overrides/<int:override_id>/rebase/", views.rebase, name="kms_override_rebase"),
        path(
            "kms/releases/<int:release_id>/<str:action>/",
            release_action,
            name="kms_release_action",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_stale_report_menu_item() -> MenuItem:
    return MenuItem(
        _("Stale overrides"), reverse("kms_stale_report"), icon_name="warning", order=120
    )


@hooks.register("register_log_actions")
def register_log_actions(actions: object) -> None:
    actions.register_action("kms.override.rebase", _("Rebase override"), _("Rebased on HQ"))


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def refresh_override_staleness(request: object, instance: object) -> None:
    """An edited draft may touch other sections: judge it again against HQ."""
    if isinstance(instance, BranchOverride):
        override_staleness_refresh(instance)


@hooks.register("construct_homepage_panels")
def add_review_due_panel(request: object, panels: list) -> None:
    panels.insert(0, ReviewDuePanel(request.user))
