"""Who may do what in which branch: one role row per (user, branch, role).

Branch permissions are a handful of rows per user, checked in services and in the admin's
permission policy — never a permission row per page or per override, which stops scaling
at tens of thousands of articles. ``BranchRole.objects.branch_codes`` is the one place that
turns those rows into the branches a user acts in; ``content.permissions`` and the review
task build on it (models import no permissions module).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Task, TaskState

from content.models.overrides import BranchOverride
from content.models.taxonomy import Branch, BranchTree


class Role(models.TextChoices):
    EDITOR = "editor", _("Branch editor")
    REVIEWER = "reviewer", _("Branch reviewer")


class BranchRoleManager(models.Manager["BranchRole"]):
    def branch_codes(self, user: Any, role: str) -> set[str]:
        """Codes of the branches where `user` acts in `role`: a reviewer also edits, and
        when the site's setting says so a role covers the branch's descendants.

        Remembered on the user object, which lives for one request (or one service call).
        """
        if not getattr(user, "is_authenticated", False):
            return set()
        cache = user.__dict__.setdefault("_kms_branch_scopes", {})
        if role not in cache:
            roles = [Role.REVIEWER] if role == Role.REVIEWER else [Role.EDITOR, Role.REVIEWER]
            codes = set(
                self.filter(user=user, role__in=roles).values_list("branch__code", flat=True)
            )
            if codes and KnowledgeBaseSettings.load().branch_roles_cover_descendants:
                tree = BranchTree.load()
                codes = {below for code in codes for below in tree.subtree(code)}
            cache[role] = codes
        return cache[role]

    def acts_in(self, user: Any, branch: Branch, role: str) -> bool:
        """Whether `user` acts in `role` for `branch`; superusers act everywhere."""
        if getattr(user, "is_superuser", False):
            return True
        return branch.code in self.branch_codes(user, role)


class BranchRole(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="branch_roles",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    objects = BranchRoleManager()

    panels: ClassVar[list] = [FieldPanel("user"), FieldPanel("branch"), FieldPanel("role")]

    class Meta:
        verbose_name = _("branch role")
        verbose_name_plural = _("branch roles")
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["user", "branch", "role"], name="one_role_per_branch")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.branch.code} · {self.get_role_display()}"


@register_setting(icon="cog")
class KnowledgeBaseSettings(BaseGenericSetting):
    branch_roles_cover_descendants = models.BooleanField(
        _("branch roles cover sub-branches"),
        default=False,
        help_text=_(
            "When on, a province's editors and reviewers also work on its cities' overrides."
        ),
    )

    panels: ClassVar[list] = [FieldPanel("branch_roles_cover_descendants")]

    class Meta:
        verbose_name = _("knowledge base settings")


class BranchReviewTask(Task):
    """A workflow step approved by the reviewers of the override's own branch."""

    def _may_review(self, obj: Any, user: Any) -> bool:
        branch = getattr(obj, "branch", None)
        return branch is not None and BranchRole.objects.acts_in(user, branch, Role.REVIEWER)

    def user_can_access_editor(self, obj: Any, user: Any) -> bool:
        return self._may_review(obj, user)

    def locked_for_user(self, obj: Any, user: Any) -> bool:
        return not self._may_review(obj, user)

    def user_can_lock(self, obj: Any, user: Any) -> bool:
        return self._may_review(obj, user)

    def user_can_unlock(self, obj: Any, user: Any) -> bool:
        return False

    def get_actions(self, obj: Any, user: Any) -> list[tuple[str, Any, bool]]:
        if not self._may_review(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_task_states_user_can_moderate(self, user: Any, **kwargs: Any) -> Any:
        in_progress = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return in_progress
        # WorkflowState.object_id is text: compare in the database, not in a Python list
        reviewable = (
            BranchOverride.objects.filter(
                branch__code__in=BranchRole.objects.branch_codes(user, Role.REVIEWER)
            )
            .annotate(object_id=Cast("pk", CharField()))
            .values("object_id")
        )
        return in_progress.filter(workflow_state__object_id__in=reviewable)

    @classmethod
    def get_description(cls) -> str:
        return str(_("Reviewers of the override's branch approve it"))

    class Meta:
        verbose_name = _("branch review task")
        verbose_name_plural = _("branch review tasks")
