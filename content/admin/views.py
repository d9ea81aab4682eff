"""Admin views for branch localisation: preview as a branch, the stale report, rebase.

Every view reads through content.selectors / content.services; permission failures from
the services become 403s.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from content.actors import Actor
from content.admin.overrides import branch_forbidden
from content.models import Branch, BranchOverride, Channel, KnowledgeArticle, Role, SectionMode
from content.permissions import branches_user_can, branches_user_may_preview, can_edit_branch
from content.resolution import SUMMARY
from content.selectors import (
    OverrideChange,
    effective_article,
    override_changes,
    stale_overrides,
)
from content.services import override_rebase
from content.services.transactions import own_transactions


def preview_as_branch(request: HttpRequest, article_id: int) -> HttpResponse:
    """The effective article as a reader in ?branch= using ?channel= sees it.

    HQ's editors preview every branch; a branch's editors and reviewers preview their own
    branches (the first of them when none is asked for), of published articles only.
    """
    article = get_object_or_404(KnowledgeArticle, pk=article_id)
    branch = request.GET.get("branch") or None
    channel = request.GET.get("channel") or None
    if branch and not Branch.objects.filter(code=branch).exists():
        raise Http404(f"no branch {branch}")
    if channel and channel not in Channel.values:
        raise Http404(f"no channel {channel}")
    scope = branches_user_may_preview(request.user, article)
    branches = Branch.objects.order_by("path")
    if scope is not None:
        branches = branches.filter(code__in=scope)
        branch = branch or next(iter(branches.values_list("code", flat=True)), None)
        if branch not in scope:
            return branch_forbidden(request, branch or article.key)
    effective = effective_article(article.key, branch=branch, channel=channel)
    return TemplateResponse(
        request,
        "content/admin/preview_as_branch.html",
        {
            "article": article,
            "effective": effective,
            "branch": branch,
            "channel": channel,
            "branches": branches,
            "hq_version": scope is None,
            "channels": Channel.choices,
        },
    )


def stale_report(request: HttpRequest) -> HttpResponse:
    """Stale and orphaned overrides of the branches the user works on (or ?branch=)."""
    scope = None if request.user.is_superuser else branches_user_can(request.user, Role.EDITOR)
    chosen = request.GET.get("branch", "")
    if chosen:
        scope = {chosen} if scope is None else scope & {chosen}
    return TemplateResponse(
        request,
        "content/admin/stale_report.html",
        {
            "overrides": stale_overrides(scope),
            "branch": chosen,
            "branches": Branch.objects.filter(parent__isnull=False).order_by("path"),
        },
    )


@dataclass(frozen=True)
class ChangedPart:
    """An :class:`~content.selectors.OverrideChange` as the rebase page shows it."""

    name: str
    change: OverrideChange
    diff: SafeString

    @property
    def mode_label(self) -> str:
        return SectionMode(self.change.mode).label


def _inline_diff(old: str, new: str) -> SafeString:
    """Character-level diff (Chinese has no word boundaries) as <del>/<ins> markup."""
    pieces = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op in ("delete", "replace"):
            pieces.append(f"<del>{escape(old[a0:a1])}</del>")
        if op in ("insert", "replace"):
            pieces.append(f"<ins>{escape(new[b0:b1])}</ins>")
        if op == "equal":
            pieces.append(escape(old[a0:a1]))
    return mark_safe("".join(pieces))  # noqa: S308  (every piece is escaped above)


def _changed_parts(override: BranchOverride) -> list[ChangedPart]:
    return [
        ChangedPart(
            _("Summary") if change.part == SUMMARY else change.part,
            change,
            _inline_diff(change.hq_then, change.hq_now),
        )
        for change in override_changes(override)
    ]


@own_transactions  # the service is its own (retried) transaction
@require_http_methods(["GET", "POST"])
def rebase(request: HttpRequest, override_id: int) -> HttpResponse:
    """Show what HQ changed under the override, side by side; POST acknowledges it.

    An override that is not stale has nothing to acknowledge, and one whose only problem is
    a section HQ removed needs an edit: the page offers no confirmation, and a POST records
    no revision (the service decides, under the override's lock).
    """
    override = get_object_or_404(
        BranchOverride.objects.select_related("article", "branch", "based_on"), pk=override_id
    )
    if not can_edit_branch(request.user, override.branch):
        return branch_forbidden(request, override.branch)
    if request.method == "POST":
        if override_rebase(override, actor=Actor.editor(request.user)) is None:
            messages.info(
                request,
                _(
                    "HQ removed sections this override changes: edit the override to remove "
                    "or move those changes."
                )
                if override.orphaned_sections
                else _("Nothing this override touches changed in HQ."),
            )
        else:
            messages.success(
                request,
                _("%(override)s is now based on HQ's current version.") % {"override": override},
            )
        return redirect("wagtailsnippets_content_branchoverride:edit", override.pk)
    return TemplateResponse(
        request,
        "content/admin/rebase.html",
        {
            "override": override,
            "parts": _changed_parts(override) if override.stale else [],
        },
    )
