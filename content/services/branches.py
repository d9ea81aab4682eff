"""Branch writes: a branch's variables, its place in the tree and its existence are
changes readers see, so each goes through the change log like a publish does.

Invariants:
* saving a branch appends, in the same transaction, one ``branch_changed`` event for
  every published article whose text changes for a reader in that branch or below it —
  because a ``{{ branch.x }}`` value it uses changed, or because a move brought other
  branches' overrides into (or out of) the reader's chain — listing exactly those
  branches; a new branch appends one ``branch_added`` event, a deleted one
  ``branch_removed`` (both without an article key: they concern every article);
* a branch's code never changes (readers, API keys and overrides refer to it);
* the head office, and a branch that still has overrides, roles or sub-branches, is never
  deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from content.actors import Actor, require_model
from content.models import Action, Branch, ChangeEvent, PublishedArticle, PublishedOverride
from content.records import Record
from content.selectors import BranchTree
from content.services.changelog import change_append, changes_append_bulk
from content.services.outcome import Outcome
from content.services.transactions import content_transaction


@dataclass(frozen=True)
class _Shift:
    """What changes for readers of one branch: variable names whose value changed, and
    branches whose overrides started or stopped applying to them."""

    names: frozenset[str]
    layers: frozenset[str]
    chain: frozenset[str]  # every branch whose override applied before or applies after


def _shift(code: str, before: BranchTree, after: BranchTree) -> _Shift:
    was = before.variables_of(code) if code in before.parents else {}
    now = after.variables_of(code) if code in after.parents else {}
    chain_before = set(before.chain(code)) if code in before.parents else set()
    chain_after = set(after.chain(code)) if code in after.parents else set()
    names = {name for name in was.keys() | now.keys() if was.get(name) != now.get(name)}
    return _Shift(
        frozenset(names),
        frozenset(chain_before ^ chain_after),
        frozenset(chain_before | chain_after),
    )


def _using(names: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for name in names:
        query |= Q(variables__contains=f",{name},")
    return query


def articles_changed(
    before: BranchTree, after: BranchTree, codes: Iterable[str]
) -> dict[str, set[str]]:
    """Article key -> the branches among `codes` whose readers see it change between the
    two trees (published text only; drafts reach nobody)."""
    shifts = {code: _shift(code, before, after) for code in codes}
    shifts = {code: shift for code, shift in shifts.items() if shift.names or shift.layers}
    changed: dict[str, set[str]] = defaultdict(set)
    if not shifts:
        return changed
    by_names: dict[frozenset[str], list[str]] = defaultdict(list)
    for code, shift in shifts.items():
        if shift.names:
            by_names[shift.names].append(code)
    all_names = set().union(*by_names) if by_names else set()
    hq_rows = PublishedArticle.objects.filter(_using(all_names)).values_list("key", "variables")
    for key, used in hq_rows:
        for names, group in by_names.items():
            if names.intersection(used):
                changed[key].update(group)
    chains = set().union(*(shift.chain for shift in shifts.values()))
    layers = set().union(*(shift.layers for shift in shifts.values()))
    override_rows = PublishedOverride.objects.filter(branch_code__in=chains).filter(
        _using(all_names) | Q(branch_code__in=layers)
    )
    for key, branch, used in override_rows.values_list("article_key", "branch_code", "variables"):
        for code, shift in shifts.items():
            if branch in shift.layers or (branch in shift.chain and shift.names.intersection(used)):
                changed[key].add(code)
    return changed


def _log_changes(before: BranchTree, after: BranchTree, codes: Iterable[str]) -> int:
    changed = articles_changed(before, after, codes)
    changes_append_bulk(
        [
            ChangeEvent(article_key=key, action=Action.BRANCH_CHANGED, branches=sorted(branches))
            for key, branches in sorted(changed.items())
        ]
    )
    return len(changed)


def placeholders_left_empty(
    branch: Branch, *, variables: dict[str, str], parent: Branch | None
) -> dict[str, list[str]]:
    """Variable name -> keys of published articles whose text would show a bare
    ``{{ branch.name }}`` to some reader in `branch` or below, were its variables
    `variables` and its parent `parent` (a removed variable, or one a move leaves behind)."""
    before = BranchTree.load()
    after = BranchTree(
        {**before.parents, branch.code: parent.code if parent else None},
        {**before.variables, branch.code: dict(variables)},
    )
    empty: dict[str, set[str]] = defaultdict(set)
    for code in before.subtree(branch.code):
        missing = set(before.variables_of(code)) - set(after.variables_of(code))
        if not missing:
            continue
        rows = [
            *PublishedArticle.objects.filter(_using(missing)).values_list("key", "variables"),
            *PublishedOverride.objects.filter(
                _using(missing), branch_code__in=after.chain(code)
            ).values_list("article_key", "variables"),
        ]
        for key, used in rows:
            for name in missing.intersection(used):
                empty[name].add(key)
    return {name: sorted(keys) for name, keys in sorted(empty.items())}


def delete_blockers(branch: Branch) -> list[str]:
    """Why `branch` may not be deleted (empty when it may)."""
    reasons = []
    if branch.is_head_office:
        reasons.append(_("it is the head office"))
    if count := branch.children.count():
        reasons.append(_("it has %(count)d sub-branch(es)") % {"count": count})
    if count := branch.overrides.count():
        reasons.append(_("it has %(count)d override(s)") % {"count": count})
    if count := branch.roles.count():
        reasons.append(_("%(count)d editor/reviewer role(s) are assigned in it") % {"count": count})
    return reasons


@content_transaction
def branch_save(branch: Branch, *, actor: Actor) -> Outcome:
    """Save `branch` (new, or with changed fields) and log what its readers now see."""
    is_new = branch.pk is None
    require_model(actor, "content.add_branch" if is_new else "content.change_branch")
    if not is_new:
        stored = Branch.objects.select_for_update().get(pk=branch.pk)
        if stored.code != branch.code:
            raise ValidationError({"code": _("A branch's code cannot change; add a new branch.")})
    branch.full_clean()
    before = BranchTree.load()
    branch.save()
    log(instance=branch, action="wagtail.create" if is_new else "wagtail.edit", user=actor.user)
    after = BranchTree.load()
    if is_new:
        change_append(article_key="", action=Action.BRANCH_ADDED, branches=[branch.code])
        return Outcome.CREATED
    _log_changes(before, after, sorted(set(after.subtree(branch.code))))
    return Outcome.UPDATED


@content_transaction
def branch_delete(branch: Branch, *, actor: Actor) -> None:
    """Remove an unused branch; ValidationError says why when it is still in use."""
    require_model(actor, "content.delete_branch")
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    if reasons := delete_blockers(branch):
        raise ValidationError(
            _("%(branch)s cannot be deleted: %(reasons)s.")
            % {"branch": branch, "reasons": "; ".join(reasons)}
        )
    log(instance=branch, action="wagtail.delete", user=actor.user)
    code = branch.code
    branch.delete()
    change_append(article_key="", action=Action.BRANCH_REMOVED, branches=[code])


HEAD_OFFICE = ("HQ", "总公司")  # code and name of the head office a new knowledge base gets


def head_office_ensure(*, actor: Actor) -> Outcome:
    """Create the head office when there is no branch at all: every article is the head
    office's, so articles imported into an empty knowledge base have one to be read in."""
    if Branch.objects.exists():
        return Outcome.UNCHANGED
    code, name = HEAD_OFFICE
    return branch_save(Branch(code=code, name=name, parent=None, variables={}), actor=actor)


def branch_upsert(record: Record, *, actor: Actor) -> Outcome:
    """Create or update the branch a kms_import record describes."""
    parent = Branch.objects.get(code=record["parent"]) if record["parent"] else None
    values = {"name": record["name"], "parent": parent, "variables": record["variables"]}
    branch = Branch.objects.filter(code=record["code"]).first()
    if branch is None:
        return branch_save(Branch(code=record["code"], **values), actor=actor)
    if all(getattr(branch, name) == value for name, value in values.items()):
        return Outcome.UNCHANGED
    if empty := placeholders_left_empty(branch, variables=values["variables"], parent=parent):
        raise ValidationError({"variables": empty_placeholders_message(empty)})
    for name, value in values.items():
        setattr(branch, name, value)
    return branch_save(branch, actor=actor)


def empty_placeholders_message(empty: dict[str, list[str]], shown: int = 5) -> str:
    """What removing the variables in `empty` (name -> article keys) would break."""
    parts = []
    for name, keys in empty.items():
        more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
        parts.append(f"{{{{ branch.{name} }}}} in {', '.join(keys[:shown])}{more}")
    return (
        "published text would show these placeholders unfilled to this branch's readers: "
        + "; ".join(parts)
        + ". Keep the variables, or change those articles first."
    )
