"""Registers the API's admin: keys and webhook subscriptions under one API menu, and the
knowledge team's cockpit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from api.admin import ApiViewSetGroup, subscription_action
from api.cockpit import views as cockpit


@hooks.register("register_admin_viewset")
def register_api_admin() -> ApiViewSetGroup:
    return ApiViewSetGroup()


@hooks.register("register_admin_urls")
def register_api_urls() -> list:
    return [
        path(
            "kms/webhooks/<int:subscription_id>/do/<str:action>/",
            subscription_action,
            name="kms_webhook_action",
        ),
        path("kms/cockpit/", cockpit.dashboard, name="kms_cockpit"),
        path("kms/cockpit/draft/", cockpit.draft_from_question, name="kms_cockpit_draft"),
        path("kms/cockpit/question/", cockpit.question_target, name="kms_cockpit_question"),
        path(
            "kms/cockpit/question/<str:key>/",
            cockpit.question_add,
            name="kms_cockpit_question_add",
        ),
    ]


class CockpitMenuItem(MenuItem):
    """Shown to whoever the cockpit shows something: the knowledge team, branch editors."""

    def is_shown(self, request: object) -> bool:
        try:
            cockpit.viewer_branches(request.user)
        except PermissionDenied:
            return False
        return True


@hooks.register("register_admin_menu_item")
def register_cockpit_menu_item() -> MenuItem:
    return CockpitMenuItem(_("Cockpit"), reverse("kms_cockpit"), icon_name="view", order=90)
