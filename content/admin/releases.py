"""Releases in the admin: build the bundle as a snippet, then apply, schedule or roll back."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.panels import Panel
from wagtail.snippets.views.snippets import SnippetViewSet

from content.actors import Actor
from content.models import Release
from content.services.releases import release_apply, release_rollback, release_schedule
from content.services.transactions import own_transactions

ACTIONS = {"apply": release_apply, "rollback": release_rollback, "schedule": release_schedule}


class ReleaseActionsPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "content/admin/release_actions_panel.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["release"] = self.instance
            return context


class ReleaseViewSet(SnippetViewSet):
    model = Release
    icon = "calendar-check"
    menu_label = gettext_lazy("Releases")
    add_to_admin_menu = True
    menu_order = 130
    list_display = ["name", "status", "scheduled_at", "applied_at", "unscheduled_because"]
    list_filter = ["status"]

    def get_edit_handler(self) -> Any:
        from wagtail.admin.panels import ObjectList

        return ObjectList(
            [*Release.panels, ReleaseActionsPanel(heading=gettext_lazy("Go live"))]
        ).bind_to_model(Release)


@own_transactions  # the services are their own (retried) transactions
@require_POST
def release_action(request: HttpRequest, release_id: int, action: str) -> HttpResponse:
    """Apply now, schedule, or roll back a release; the service checks the user."""
    release = get_object_or_404(Release, pk=release_id)
    if action not in ACTIONS:
        raise Http404(f"no release action {action!r}")
    try:
        ACTIONS[action](release, actor=Actor.editor(request.user))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Release “%(name)s”: done.") % {"name": release.name})
    return redirect("wagtailsnippets_content_release:edit", release.pk)
