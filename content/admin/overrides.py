"""Branch overrides in the admin: a snippet listing and editor scoped to the user's branches.

Invariant: the form offers only the user's own branches, validates section operations
against HQ's live article (content.overrides.override_problems), and records the HQ
revision a new override is based on; the permission policy (content.permissions)
refuses every other branch's override with a 403, whatever URL is typed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from content.models import Branch, BranchOverride, PublishedArticle, Role
from content.overrides import hq_section_slugs, override_problems
from content.permissions import BranchPermissionDenied, branches_user_can, can_edit_branch


class BranchOverrideForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        branches = Branch.objects.filter(parent__isnull=False)
        if user is not None and not user.is_superuser:
            branches = branches.filter(code__in=branches_user_can(user, Role.EDITOR))
        if "branch" in self.fields:
            self.fields["branch"].queryset = branches.order_by("path")

    def _operations(self) -> list[tuple[str, str, str]]:
        formset = self.formsets.get("sections")
        if formset is None or not formset.is_valid():
            return []
        return [
            (form.cleaned_data["slug"], form.cleaned_data["mode"], form.cleaned_data["body"])
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        article, branch = cleaned.get("article"), cleaned.get("branch")
        if article is None or branch is None:
            return cleaned
        duplicate = BranchOverride.objects.filter(article=article, branch=branch)
        if duplicate.exclude(pk=self.instance.pk).exists():
            self.add_error("branch", _("This branch already has an override of this article."))
        published = PublishedArticle.objects.filter(article=article).first()
        kept = (
            [section.slug for section in self.instance.sections.all()] if self.instance.pk else []
        )
        for field, message in override_problems(
            hq_slugs=hq_section_slugs(published.sections) if published else None,
            summary=cleaned.get("summary", ""),
            operations=self._operations(),
            known_variables=Branch.known_variable_names(),
            kept_slugs=kept,
        ):
            self.add_error(None if field == "sections" else field, message)
        return cleaned

    def save(self, commit: bool = True) -> BranchOverride:
        override = super().save(commit=False)
        if override.based_on_id is None:
            override.based_on = override.article.live_revision
        if commit:
            override.save()
            self.save_m2m()
        return override


def branch_forbidden(request: HttpRequest, branch: Any) -> HttpResponse:
    """A 403 page: the user works on other branches than `branch`."""
    reason = _("You work on other branches than %(branch)s.") % {"branch": branch}
    return TemplateResponse(request, "content/admin/forbidden.html", {"reason": reason}, status=403)


class BranchScopedObjectMixin:
    """Answers 403 to any view of an override outside the user's branches."""

    def get_object(self, *args: Any, **kwargs: Any) -> Any:
        obj = super().get_object(*args, **kwargs)  # type: ignore[misc]
        if not can_edit_branch(self.request.user, obj.branch):  # type: ignore[attr-defined]
            raise BranchPermissionDenied(obj.branch)
        return obj

    # Wagtail's views load the object in setup() or in dispatch(); a refusal in either
    # becomes a 403 page here (Wagtail would turn it into a redirect to the dashboard).
    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.denied_branch = None
        try:
            super().setup(request, *args, **kwargs)  # type: ignore[misc]
        except BranchPermissionDenied as denied:
            self.denied_branch = denied.args[0]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.denied_branch is not None:
            return branch_forbidden(request, self.denied_branch)
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except BranchPermissionDenied as denied:
            return branch_forbidden(request, denied.args[0])


def _scoped(view_class: type) -> type:
    return type(f"BranchScoped{view_class.__name__}", (BranchScopedObjectMixin, view_class), {})


OBJECT_VIEWS = (
    "copy",
    "edit",
    "delete",
    "history",
    "inspect",
    "revisions",
    "revisions_compare",
    "revisions_unschedule",
    "unpublish",
    "preview_on_edit",
    "lock",
    "unlock",
    "workflow_action",
    "collect_workflow_action_data",
    "confirm_workflow_cancellation",
    "workflow_preview",
    "workflow_history",
    "workflow_history_detail",
)


class BranchOverrideViewSet(SnippetViewSet):
    model = BranchOverride
    edit_handler = ObjectList(BranchOverride.panels, base_form_class=BranchOverrideForm)
    icon = "site"
    menu_label = _("Branch overrides")
    list_display = [
        "__str__",
        "branch",
        Column("stale", label=_("Stale"), accessor="stale"),
        "live",
    ]
    list_filter = ["branch", "live", "visibility"]
    search_fields = ["article__title", "article__key", "branch__code"]

    def get_queryset(self, request: HttpRequest) -> Any:
        overrides = BranchOverride.objects.select_related("article", "branch")
        user = request.user
        if user.is_superuser:
            return overrides
        return overrides.filter(branch__code__in=branches_user_can(user, Role.EDITOR))


# Every view that loads one override refuses other branches' overrides.
for _name in OBJECT_VIEWS:
    _attribute = f"{_name}_view_class"
    setattr(BranchOverrideViewSet, _attribute, _scoped(getattr(SnippetViewSet, _attribute)))
