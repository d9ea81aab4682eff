"""Who manages which best bets.

Invariants:
* whoever holds Django's permission for an action on best bets (HQ's search team;
  superusers hold every one) takes it on every best bet, for every branch or one;
* a branch's reviewers (``content``'s branch roles, sub-branches included when the site's
  setting says so) take it on the best bets of the branches they review, and on no other:
  never on one for every branch, which would reach other branches' readers. A best bet
  is live as soon as it is saved, so it asks for the role that publishes, as an override's
  publishing does;
* everyone else takes none.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import ModelPermissionPolicy

from content.models import Role
from content.permissions import branches_user_can
from search.models import PromotedResult

ACTIONS = frozenset({"add", "change", "delete", "view"})


def reviewed_branches(user: Any) -> set[str]:
    """Codes of the branches whose best bets `user` manages through a branch role."""
    return branches_user_can(user, Role.REVIEWER)


class PromotedResultPermissionPolicy(ModelPermissionPolicy):
    def everywhere(self, user: Any, action: str) -> bool:
        """Whether `user` takes `action` on every best bet (the model's permission)."""
        return super().user_has_permission(user, action)

    def _by_role(self, user: Any, action: str) -> set[str]:
        if action not in ACTIONS or not getattr(user, "is_active", False):
            return set()
        return reviewed_branches(user)

    def user_has_permission(self, user: Any, action: str) -> bool:
        return self.everywhere(user, action) or bool(self._by_role(user, action))

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if self.everywhere(user, action):
            return True
        return instance.branch_id is not None and instance.branch.code in self._by_role(
            user, action
        )

    def instances_user_has_permission_for(self, user: Any, action: str) -> QuerySet:
        if self.everywhere(user, action):
            return PromotedResult.objects.all()
        return PromotedResult.objects.filter(branch__code__in=self._by_role(user, action))

    def users_with_any_permission(self, actions: list[str]) -> QuerySet:
        by_permission = super().users_with_any_permission(actions)
        if not ACTIONS.intersection(actions):
            return by_permission
        reviewers = Q(branch_roles__role=Role.REVIEWER, is_active=True)
        return (
            get_user_model()
            .objects.filter(Q(pk__in=by_permission.values("pk")) | reviewers)
            .distinct()
        )


policy = PromotedResultPermissionPolicy(PromotedResult)
