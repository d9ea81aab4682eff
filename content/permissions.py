"""Branch-scoped permissions for overrides, enforced by services (content.actors) and by
the admin.

Invariant: a user may edit/submit an override only for a branch they hold the editor role
in (or, when the site's setting says so, a descendant of it), and approve/publish/unpublish/
unlock only where they hold the reviewer role. Deleting an override readers see (live, or
scheduled to go live) takes it down for them, so that too asks for the reviewer role;
editors delete drafts. Superusers may do everything. HQ articles stay governed by Wagtail's
page permissions, which branch roles never grant.

The role lookups themselves live on ``BranchRole.objects`` (the models layer, which the
review task needs too); this module names the rules built on them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import ModelPermissionPolicy

from content.models import Branch, BranchOverride
from content.models.roles import BranchRole, Role

# What each action on an override asks of the user, in the override's own branch.
ROLE_FOR_ACTION = {
    "add": Role.EDITOR,
    "change": Role.EDITOR,
    "view": Role.EDITOR,
    "lock": Role.EDITOR,
    "delete": Role.EDITOR,  # a draft; one readers see is the reviewers' (role_for)
    "publish": Role.REVIEWER,
    "unlock": Role.REVIEWER,
}


def reaches_readers(override: BranchOverride) -> bool:
    """Whether `override` is live, or a reviewer has scheduled it to go live."""
    if override.live:
        return True
    return override.revisions.filter(approved_go_live_at__isnull=False).exists()


def role_for(action: str, override: BranchOverride) -> str:
    """The role `action` on `override` asks for in its branch."""
    if action == "delete" and reaches_readers(override):
        return Role.REVIEWER  # deleting it unpublishes it
    return ROLE_FOR_ACTION[action]


def branches_user_can(user: Any, role: str) -> set[str]:
    """Codes of the branches where `user` acts in `role` (editor or reviewer)."""
    return BranchRole.objects.branch_codes(user, role)


def can_edit_branch(user: Any, branch: Branch) -> bool:
    return BranchRole.objects.acts_in(user, branch, Role.EDITOR)


def can_review_branch(user: Any, branch: Branch) -> bool:
    return BranchRole.objects.acts_in(user, branch, Role.REVIEWER)


def branches_user_may_preview(user: Any, article: Any) -> set[str] | None:
    """Whose readers' view of `article` the user may see: ``None`` for every branch and
    HQ's own version (whoever may edit the HQ article), otherwise the branches the user
    works on — only once HQ has published it (a branch never sees HQ's drafts) — which is
    empty for a user with neither right."""
    if article.permissions_for_user(user).can_edit():
        return None
    if not article.live:
        return set()
    return branches_user_can(user, Role.EDITOR)


def overrides_user_can(user: Any, role: str) -> QuerySet[BranchOverride]:
    """The overrides of the branches where `user` acts in `role`."""
    if getattr(user, "is_superuser", False):
        return BranchOverride.objects.all()
    return BranchOverride.objects.filter(branch__code__in=branches_user_can(user, role))


class BranchOverridePermissionPolicy(ModelPermissionPolicy):
    """Wagtail's snippet views ask this policy; it answers from branch roles.

    The model-wide question ("may this user publish overrides at all?") is answered for
    *some* branch; the admin's override views ask again about the override in hand
    (``user_has_permission_for_instance``) before acting on it.
    """

    def user_has_permission(self, user: Any, action: str) -> bool:
        if user.is_superuser:
            return True
        if not user.is_active or action not in ROLE_FOR_ACTION:
            return False
        return bool(branches_user_can(user, ROLE_FOR_ACTION[action]))

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if user.is_superuser:
            return True
        if not user.is_active or action not in ROLE_FOR_ACTION:
            return False
        return BranchRole.objects.acts_in(user, instance.branch, role_for(action, instance))

    def instances_user_has_permission_for(self, user: Any, action: str) -> QuerySet:
        if user.is_superuser:
            return BranchOverride.objects.all()
        if not user.is_active or action not in ROLE_FOR_ACTION:
            return BranchOverride.objects.none()
        if action == "delete":
            scheduled = BranchOverride.objects.filter(revisions__approved_go_live_at__isnull=False)
            drafts = overrides_user_can(user, Role.EDITOR).filter(live=False)
            drafts = drafts.exclude(pk__in=scheduled.values("pk"))
            reviewed = overrides_user_can(user, Role.REVIEWER)
            return BranchOverride.objects.filter(
                Q(pk__in=reviewed.values("pk")) | Q(pk__in=drafts.values("pk"))
            )
        return overrides_user_can(user, ROLE_FOR_ACTION[action])

    def users_with_any_permission(self, actions: list[str]) -> QuerySet:
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True)
        return users.filter(Q(is_superuser=True) | Q(branch_roles__isnull=False)).distinct()
