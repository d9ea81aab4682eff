"""Branches in the admin: every save and delete goes through content.services.branches.

Invariants:
* creating, editing (variables, name, parent) and deleting a branch in the admin reach
  readers only through the branch services, so each appends its change events;
* a branch's code is shown but cannot be edited once the branch exists;
* an editor whose change — a removed variable, or a move away from the branch that
  defined it — would leave a placeholder in published text without a value is shown
  which articles, and must confirm before the change is saved;
* deleting a branch that is still in use is refused with the reasons, in the single
  delete view and in bulk deletes alike.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from content.actors import Actor
from content.models import Branch
from content.services.branches import (
    branch_delete,
    branch_save,
    delete_blockers,
    placeholders_left_empty,
)

SHOWN_KEYS = 10


class BranchForm(WagtailAdminModelForm):
    confirm_empty_placeholders = forms.BooleanField(
        required=False,
        label=_("Remove the variables anyway"),
        help_text=_("Tick to save although published articles use a removed variable."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "code" in self.fields:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("A branch's code never changes.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None or cleaned.get("confirm_empty_placeholders"):
            return cleaned
        if "variables" not in cleaned or "parent" not in cleaned:
            return cleaned  # the field errors say what is wrong first
        stored = Branch.objects.get(pk=self.instance.pk)
        empty = placeholders_left_empty(
            stored, variables=cleaned["variables"], parent=cleaned["parent"]
        )
        for name, keys in empty.items():
            shown = "、".join(keys[:SHOWN_KEYS])
            more = len(keys) - SHOWN_KEYS
            listing = (
                shown
                if more <= 0
                else _("%(shown)s and %(more)d more") % {"shown": shown, "more": more}
            )
            self.add_error(
                "variables" if cleaned["parent"] == stored.parent else "parent",
                _(
                    "After this change {{ branch.%(name)s }} has no value for readers in "
                    "this branch or below it, in: %(keys)s. Keep the variable, or tick "
                    "“Remove the variables anyway”."
                )
                % {"name": name, "keys": listing},
            )
        return cleaned


class BranchSaveAction(EditAction):
    """Wagtail's create/edit views save branches through the branch service."""

    def execute(self, skip_permission_checks: bool = False) -> Branch:
        branch_save(self.instance, actor=Actor.editor(self.user))
        return self.instance


class BranchCreateAction(CreateAction):
    def execute(self, skip_permission_checks: bool = False) -> Branch:
        branch_save(self.instance, actor=Actor.editor(self.user))
        return self.instance


@hooks.register("register_actions")
def register_branch_actions(registry: Any) -> None:
    registry.register(Branch, BranchCreateAction)
    registry.register(Branch, BranchSaveAction)


@hooks.register("before_delete_snippet")
def delete_branches(request: HttpRequest, instances: list[Any]) -> HttpResponse | None:
    """Delete branches through the service (single and bulk deletes), or say why not."""
    branches = [instance for instance in instances if isinstance(instance, Branch)]
    if not branches:
        return None
    refused = {branch: reasons for branch in branches if (reasons := delete_blockers(branch))}
    for branch, reasons in refused.items():
        messages.error(
            request,
            _("%(branch)s cannot be deleted: %(reasons)s.")
            % {"branch": branch, "reasons": "; ".join(reasons)},
        )
    if refused or request.method != "POST":
        return redirect("wagtailsnippets_content_branch:list") if refused else None
    actor = Actor.editor(request.user)
    try:
        for branch in branches:
            branch_delete(branch, actor=actor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        count = len(branches)
        messages.success(
            request,
            ngettext("%(n)d branch deleted.", "%(n)d branches deleted.", count) % {"n": count},
        )
    return redirect("wagtailsnippets_content_branch:list")


class BranchViewSet(SnippetViewSet):
    model = Branch
    icon = "site"
    list_display = ["code", "name", "parent", "path"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    edit_handler = ObjectList(
        [*Branch.panels, FieldPanel("confirm_empty_placeholders")], base_form_class=BranchForm
    )
