"""The one way knowledge goes live or stops being live.

Invariants:
* imports, releases, scheduled go-live and expiry, ``publish_scheduled`` and rebases all
  publish and unpublish through :func:`publish` / :func:`unpublish`; each is one content
  transaction in which Wagtail's action writes the live state and the signal receivers
  (content/signals.py) write the snapshot and append its change event — committed
  together, rolled back together, retried together on a conflict;
* the acting user is checked once, here, for *this* object (HQ articles by Wagtail's
  page permissions, overrides by the reviewer role of their own branch); Wagtail's
  model-level check, which answers "reviewer of any branch", is never relied on;
* Wagtail's own admin views (edit → publish, unpublish, workflow approval, revert) use
  Wagtail's actions, which reach the same receivers inside the request's content
  transaction (kms.middleware.ContentTransactionMiddleware: events last, retried on a
  conflict); the receivers refuse to run outside a transaction, so no path can leave a
  live revision without its snapshot.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.actions.unpublish import UnpublishAction
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Revision

from content.actors import Actor, require_article, require_override
from content.models import BranchOverride, KnowledgeArticle
from content.services.transactions import content_transaction

Publishable = KnowledgeArticle | BranchOverride


def require_publish(actor: Actor, target: Publishable, *, action: str = "publish") -> None:
    """May `actor` make `target` live (``publish``) or take it down (``unpublish``)?"""
    if isinstance(target, BranchOverride):
        require_override(actor, "publish", target.branch)
    elif isinstance(target, KnowledgeArticle):
        require_article(actor, action, target)
    else:
        raise ValidationError(f"{target!r} is not an article or a branch override")


def publish_checked(
    revision: Revision,
    *,
    actor: Actor,
    log_action: bool | str = True,
    previous_revision: Revision | None = None,
) -> None:
    """Publish `revision` for a caller that has already checked `actor`; same transaction."""
    revision.publish(
        user=actor.user,
        log_action=log_action,
        previous_revision=previous_revision,
        skip_permission_checks=True,
    )


@content_transaction
def publish(
    revision: Revision,
    *,
    actor: Actor,
    log_action: bool | str = True,
    previous_revision: Revision | None = None,
) -> None:
    """Make `revision` live (or schedule it, when its object has a future go-live time)."""
    require_publish(actor, revision.content_object)
    publish_checked(
        revision, actor=actor, log_action=log_action, previous_revision=previous_revision
    )


def unpublish_checked(
    target: Publishable, *, actor: Actor, expired: bool = False, log_action: bool | str = True
) -> None:
    """Take `target` down for a caller that has already checked `actor`; same transaction."""
    action_class = UnpublishPageAction if isinstance(target, KnowledgeArticle) else UnpublishAction
    action_class(target, set_expired=expired, user=actor.user, log_action=log_action).execute(
        skip_permission_checks=True
    )


@content_transaction
def unpublish(
    target: Publishable, *, actor: Actor, expired: bool = False, log_action: bool | str = True
) -> None:
    """Readers stop seeing `target` (an article, or a branch's override of one)."""
    target = type(target).objects.get(pk=target.pk)  # a fresh row: this may be a retry
    require_publish(actor, target, action="unpublish")
    unpublish_checked(target, actor=actor, expired=expired, log_action=log_action)
