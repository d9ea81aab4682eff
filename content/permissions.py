"""Branch-scoped permissions for overrides, enforced by services and by the admin.

Invariant: a user may edit/submit an override only for a branch they hold the editor role
in (or, when the site's setting says so, a descendant of it), and approve/publish only
where they hold the reviewer role. Superusers may do everything. HQ articles stay
governed by Wagtail's page permissions, which branch roles never grant.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import ModelPermissionPolicy

from content.models import Branch, BranchOverride
from content.models.roles import BranchRole, KnowledgeBaseSettings, Role


class BranchPermissionDenied(PermissionDenied):
    """The user holds no suitable role for the branch."""


def branches_user_can(user: Any, role: str) -> set[str]:
    """Codes of the branches where `user` acts in `role` (editor or reviewer)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = user.__dict__.setdefault("_kms_branch_scopes", {})
    if role not in cache:
        roles = {Role.REVIEWER: [Role.REVIEWER], Role.EDITOR: [Role.EDITOR, Role.REVIEWER]}
        paths = list(
            BranchRole.objects.filter(user=user, role__in=roles[role]).values_list(
                "branch__path", flat=True
            )
        )
        query = Q(path__in=paths)
        if paths and KnowledgeBaseSettings.load().branch_roles_cover_descendants:
            for path in paths:
                query |= Q(path__startswith=f"{path}/")
        cache[role] = set(Branch.objects.filter(query).values_list("code", flat=True))
    return cache[role]


def can_edit_branch(user: Any, branch: Branch) -> bool:
    return bool(getattr(user, "is_superuser", False)) or branch.code in branches_user_can(
        user, Role.EDITOR
    )


def can_review_branch(user: Any, branch: Branch) -> bool:
    return bool(getattr(user, "is_superuser", False)) or branch.code in branches_user_can(
        user, Role.REVIEWER
    )


def require_edit(user: Any, branch: Branch) -> None:
    if user is not None and not can_edit_branch(user, branch):
        raise BranchPermissionDenied(f"{user} may not edit overrides of {branch.code}")


def require_review(user: Any, branch: Branch) -> None:
    if user is not None and not can_review_branch(user, branch):
        raise BranchPermissionDenied(f"{user} may not publish overrides of {branch.code}")


class BranchOverridePermissionPolicy(ModelPermissionPolicy):
    """Wagtail's snippet views ask this policy; it answers from branch roles."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if user.is_superuser:
            return True
        if not user.is_active:
            return False
        if action in ("add", "change", "view", "lock", "delete"):
            return bool(branches_user_can(user, Role.EDITOR))
        if action in ("publish", "unlock"):
            return bool(branches_user_can(user, Role.REVIEWER))
        return False

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if user.is_superuser:
            return True
        if action in ("publish", "unlock"):
            return can_review_branch(user, instance.branch)
        if action in ("add", "change", "view", "lock", "delete"):
            return can_edit_branch(user, instance.branch)
        return False

    def instances_user_has_permission_for(self, user: Any, action: str) -> QuerySet:
        if user.is_superuser:
            return BranchOverride.objects.all()
        role = Role.REVIEWER if action in ("publish", "unlock") else Role.EDITOR
        return BranchOverride.objects.filter(branch__code__in=branches_user_can(user, role))

    def users_with_any_permission(self, actions: list[str]) -> QuerySet:
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True)
        return users.filter(Q(is_superuser=True) | Q(branch_roles__isnull=False)).distinct()
