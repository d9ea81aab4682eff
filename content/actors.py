"""Who is changing the knowledge base, and whether they may.

Invariant: every service that changes content is handed an :class:`Actor` and checks it
once, before it writes anything: an editor against Wagtail's page permissions (HQ
articles), branch roles (overrides: editors edit, reviewers publish) or model
permissions (taxonomy, releases); a system context — an operator's import at the shell,
the scheduler — is named explicitly and trusted. There is no implicit "no user, no check".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from content.models import Branch, KnowledgeArticle, KnowledgeIndexPage
from content.permissions import can_edit_branch, can_review_branch


@dataclass(frozen=True)
class Actor:
    """An editor (``user``) or a named system context (``system``), never both."""

    user: Any = None
    system: str = ""

    def __post_init__(self) -> None:
        if (self.user is None) == (not self.system):
            raise ValueError("an actor is either a user or a named system context")

    @classmethod
    def editor(cls, user: Any) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            raise PermissionDenied("sign in first")
        if not getattr(user, "is_active", True):
            raise PermissionDenied(f"{user} is no longer active")
        return cls(user=user)

    @classmethod
    def system_context(cls, name: str) -> Actor:
        return cls(system=name)

    @property
    def is_system(self) -> bool:
        return bool(self.system)

    def __str__(self) -> str:
        return f"system:{self.system}" if self.system else str(self.user)


def _refuse(actor: Actor, what: str) -> PermissionDenied:
    return PermissionDenied(f"{actor} may not {what}")


def require_article(
    actor: Actor, action: str, article: KnowledgeArticle | KnowledgeIndexPage
) -> None:
    """`action` is ``add`` (under the index), ``edit``, ``publish`` or ``unpublish``."""
    if actor.is_system:
        return
    tester = article.permissions_for_user(actor.user)
    allowed = {
        "add": tester.can_add_subpage,
        "publish_new": tester.can_publish_subpage,
        "edit": tester.can_edit,
        "publish": tester.can_publish,
        "unpublish": tester.can_unpublish,
    }[action]()
    if not allowed:
        raise _refuse(actor, f"{action.replace('_', ' ')} {article}")


def require_override(actor: Actor, action: str, branch: Branch) -> None:
    """`action` is ``edit`` (branch editors and reviewers) or ``publish`` (reviewers)."""
    if actor.is_system:
        return
    allowed = (can_review_branch if action == "publish" else can_edit_branch)(actor.user, branch)
    if not allowed:
        raise _refuse(actor, f"{action} overrides of {branch.code}")


def require_model(actor: Actor, permission: str) -> None:
    """A Django model permission such as ``content.change_branch``."""
    if not actor.is_system and not actor.user.has_perm(permission):
        raise _refuse(actor, f"do that ({permission})")
