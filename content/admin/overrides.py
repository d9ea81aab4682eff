"""Branch overrides in the admin: a snippet listing and editor scoped to the user's branches.

Invariants:
* the form offers only the user's own branches, keeps an override in the branch it was
  made for, validates section operations against HQ's live article
  (content.overrides.override_problems), and records the HQ revision a new override is
  based on;
* every URL of the viewset that names an override (``pk``) answers 403 for an override of
  a branch the user does not edit, before Wagtail's view runs, whatever the view;
* listings, the chooser and the bulk actions see only the user's branches' overrides;
  an id from another branch is a 404 there, as if it did not exist;
* publishing, unpublishing, unscheduling and unlocking an override ask for the reviewer
  role in *that override's* branch, and the editor offers them only then. Wagtail's views
  ask the permission policy model-wide ("reviewer anywhere?"); here they ask about the
  override in hand. Workflow actions are the review task's to decide (BranchReviewTask).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.models import TaskState, WorkflowState
from wagtail.snippets.action_menu import PublishMenuItem, UnpublishMenuItem
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from content.admin.scoped import (
    guard_object_urls,
    scoped_chooser_viewset,
    scoped_delete_bulk_action,
)
from content.models import Branch, BranchOverride, PublishedArticle, Role
from content.overrides import hq_section_slugs, override_problems
from content.permissions import (
    BranchOverridePermissionPolicy,
    branches_user_can,
    can_edit_branch,
    overrides_user_can,
)

policy = BranchOverridePermissionPolicy(BranchOverride)


# Fixed once the override exists.
FIXED_FIELDS = ("article", "branch")
MOVE_REFUSED = {
    "article": _(
        "An override stays with the article it was made for: create an override of the "
        "other article instead."
    ),
    "branch": _(
        "An override stays in the branch it was made for: create an override in the other "
        "branch instead."
    ),
}


class BranchOverrideForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        branches = Branch.objects.filter(parent__isnull=False)
        if user is not None and not user.is_superuser:
            branches = branches.filter(code__in=branches_user_can(user, Role.EDITOR))
        if "branch" in self.fields:
            self.fields["branch"].queryset = branches.order_by("path")
        # An override belongs to its article and branch. Moving it to another article would
        # take it away from the first one's readers unannounced (and collide with that
        # article's own override on approval); moving it to another branch would let that
        # branch's reviewers publish (and so remove) this branch's version.
        for name in FIXED_FIELDS:
            if name in self.fields:
                self.fields[name].disabled = self.instance.pk is not None

    def _stored_identity(self) -> dict[str, Any]:
        """The stored override's article and branch ids (empty for a new override)."""
        if self.instance.pk is None:
            return {}
        stored = BranchOverride.objects.filter(pk=self.instance.pk)
        return stored.values(*(f"{name}_id" for name in FIXED_FIELDS)).first() or {}

    def _refuse_moves(self, cleaned: dict[str, Any]) -> bool:
        """Add an error for an article or branch other than the stored one, whether POSTed
        past the disabled field or brought back by reverting to a revision; True if any."""
        stored = self._stored_identity()
        moved = False
        for name in FIXED_FIELDS if stored else ():
            posted = self.data.get(self.add_prefix(name))
            kept = stored[f"{name}_id"]
            value = cleaned.get(name)
            if (posted not in (None, "") and posted != str(kept)) or (
                value is not None and value.pk != kept
            ):
                self.add_error(name, MOVE_REFUSED[name])
                moved = True
        return moved

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
        if self._refuse_moves(cleaned):
            return cleaned
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


def other_branch_refused(request: HttpRequest, pk: str) -> HttpResponse | None:
    """403 for an override of a branch the user does not edit (none for an unknown id:
    the view answers 404)."""
    branch = Branch.objects.filter(overrides__pk=pk).first()
    if branch is not None and not can_edit_branch(request.user, branch):
        return branch_forbidden(request, branch)
    return None


def may_publish(user: Any, override: BranchOverride | None) -> bool:
    """Publishing `override` (None: a new one, branch not chosen yet) is the reviewers'."""
    if override is None:
        return policy.user_has_permission(user, "publish")
    return policy.user_has_permission_for_instance(user, "publish", override)


class BranchScopedViewMixin:
    """Mixed into every view of the viewset: once the view holds an override, Wagtail's
    model-wide permission questions are asked about that override's branch."""

    def user_has_permission(self, permission: str) -> bool:
        allowed = super().user_has_permission(permission)  # type: ignore[misc]
        override = getattr(self, "object", None)
        if not allowed or not isinstance(override, BranchOverride) or override.branch_id is None:
            return allowed  # nothing in hand yet (a new override is checked on submit)
        user = self.request.user  # type: ignore[attr-defined]
        if permission == "unlock" and override.locked_by_id == user.pk:
            return True  # as in Wagtail, whoever locked an override may unlock it
        return policy.user_has_permission_for_instance(user, permission, override)


class PublishWhereReviewingMixin:
    """Create, copy, edit and revert: "Publish" is honoured only for a branch the user
    reviews (for a new override, the branch chosen in the form)."""

    def form_valid(self, form: Any) -> HttpResponse:
        if self.action == "publish" and not may_publish(self.request.user, form.instance):  # type: ignore[attr-defined]
            form.add_error(
                None,
                _("Only reviewers of %(branch)s publish its overrides: submit it for review.")
                % {"branch": form.instance.branch},
            )
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
            return self.form_invalid(form)  # type: ignore[attr-defined]
        return super().form_valid(form)  # type: ignore[misc]


class OverrideIndexView(BranchScopedViewMixin, snippet_views.IndexView):
    """Each row offers Delete only when the user may delete that override (a live one is
    its branch's reviewers'); Wagtail asks once, model-wide."""

    def get_delete_url(self, instance: BranchOverride) -> str | None:
        if not policy.user_has_permission_for_instance(self.request.user, "delete", instance):
            return None
        return super().get_delete_url(instance)


class OverrideCreateView(
    BranchScopedViewMixin, PublishWhereReviewingMixin, snippet_views.CreateView
):
    pass


class OverrideCopyView(BranchScopedViewMixin, PublishWhereReviewingMixin, snippet_views.CopyView):
    pass


class OverrideEditView(BranchScopedViewMixin, PublishWhereReviewingMixin, snippet_views.EditView):
    pass


class ThisOverridesTaskStateMixin:
    """Wagtail loads the task state of a workflow action by id alone; it must belong to the
    override in the URL, or a reviewer could act on another branch's review through their own."""

    def get_task_state(self) -> TaskState:
        task_states = TaskState.objects.filter(
            workflow_state__in=WorkflowState.objects.for_instance(self.object)  # type: ignore[attr-defined]
        )
        return get_object_or_404(task_states, id=self.task_state_id).specific  # type: ignore[attr-defined]


class OverrideWorkflowActionView(
    BranchScopedViewMixin, ThisOverridesTaskStateMixin, snippet_views.WorkflowActionView
):
    pass


class OverrideCollectWorkflowActionDataView(
    BranchScopedViewMixin, ThisOverridesTaskStateMixin, snippet_views.CollectWorkflowActionDataView
):
    pass


class OverridePublishMenuItem(PublishMenuItem):
    def is_shown(self, context: dict[str, Any]) -> bool:
        if context.get("locked_for_user"):
            return False
        return may_publish(context["request"].user, context.get("instance"))


class OverrideUnpublishMenuItem(UnpublishMenuItem):
    def is_shown(self, context: dict[str, Any]) -> bool:
        instance = context.get("instance")
        return (
            context["view"] == "edit"
            and instance is not None
            and instance.live
            and not context.get("locked_for_user")
            and may_publish(context["request"].user, instance)
        )


def offer_publishing_to_reviewers(menu_items: list, request: HttpRequest, context: dict) -> None:
    """The editor's Publish/Unpublish follow the branch roles, as the views do (Wagtail's
    items ask for the model-wide Django permission, which branch roles never grant)."""
    if context.get("model") is not BranchOverride:
        return
    ours = [OverrideUnpublishMenuItem(order=20), OverridePublishMenuItem(order=30)]
    names = {item.name for item in ours}
    menu_items[:] = [item for item in menu_items if item.name not in names]
    menu_items.extend(item for item in ours if item.is_shown(context))
    menu_items.sort(key=lambda item: item.order)


def editable_overrides(request: HttpRequest) -> QuerySet[BranchOverride]:
    return overrides_user_can(request.user, Role.EDITOR).select_related("article", "branch")


BranchOverrideChooserViewSet = scoped_chooser_viewset(editable_overrides)
BranchOverrideDeleteBulkAction = scoped_delete_bulk_action(BranchOverride, editable_overrides)


class BranchOverrideViewSet(SnippetViewSet):
    model = BranchOverride
    edit_handler = ObjectList(BranchOverride.panels, base_form_class=BranchOverrideForm)
    icon = "site"
    menu_label = _("Branch overrides")
    add_to_admin_menu = True
    menu_order = 115
    list_display = [
        "__str__",
        "branch",
        Column("stale", label=_("Stale"), accessor="stale"),
        "live",
    ]
    list_filter = ["branch", "live", "visibility"]
    search_fields = ["article__title", "article__key", "branch__code"]
    chooser_viewset_class = BranchOverrideChooserViewSet
    index_view_class = OverrideIndexView
    add_view_class = OverrideCreateView
    copy_view_class = OverrideCopyView
    edit_view_class = OverrideEditView
    workflow_action_view_class = OverrideWorkflowActionView
    collect_workflow_action_data_view_class = OverrideCollectWorkflowActionDataView

    def get_queryset(self, request: HttpRequest) -> QuerySet[BranchOverride]:
        return editable_overrides(request)

    def get_urlpatterns(self) -> list:
        return guard_object_urls(super().get_urlpatterns(), other_branch_refused)


# Every other view class of the snippet viewset (and any Wagtail adds later) asks its
# permission questions about the override in hand.
for _name in dir(SnippetViewSet):
    _view_class = getattr(BranchOverrideViewSet, _name)
    if (
        _name.endswith("_view_class")
        and isinstance(_view_class, type)
        and not issubclass(_view_class, BranchScopedViewMixin)
    ):
        setattr(
            BranchOverrideViewSet,
            _name,
            type(f"BranchScoped{_view_class.__name__}", (BranchScopedViewMixin, _view_class), {}),
        )
