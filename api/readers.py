"""Whose view of the knowledge base a request reads: a branch, channels and audiences.

Invariants (DESIGN §7):
* a key's branches cover their descendants; a branch outside them is a 403, an unknown
  branch a 400;
* a request that names no branch reads the key's branch when the key names exactly one,
  HQ when the key reads every branch, and is a 400 otherwise;
* a key limited to channels reads only articles for one of them (a channel it was not
  given is a 403); a key reads internal articles only when granted them;
* these checks, and the answers, read the branch tree as committed
  (:func:`content.selectors.branch_tree`: a branch's change is seen by the next request).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rest_framework import exceptions

from api.errors import InvalidParameters
from api.models import ApiKey
from content.models import BranchTree


class ParameterError(InvalidParameters):
    """A 400 naming one query parameter and what is wrong with it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__({name: [message]})


@dataclass(frozen=True)
class Reader:
    branch: str
    channel: str | None  # the channel asked for
    channels: frozenset[str] | None  # the channels the key may read; None: every one
    audiences: tuple[str, ...]

    @property
    def channel_filter(self) -> frozenset[str] | None:
        """Articles must be for one of these channels (None: any)."""
        return frozenset([self.channel]) if self.channel else self.channels

    def can_read(self, channels: Collection[str], audience: str) -> bool:
        if audience not in self.audiences:
            return False
        wanted = self.channel_filter
        return wanted is None or not wanted.isdisjoint(channels)


def covered_branches(key: ApiKey, tree: BranchTree) -> set[str] | None:
    """The branch codes `key` may read (None: every branch)."""
    return tree.covering(key.branches) if key.branches else None


def reader_branch(key: ApiKey, branch: str | None, tree: BranchTree) -> str:
    covered = covered_branches(key, tree)
    if branch is None:
        if covered is None:
            return tree.root or ""
        if len(key.branches) == 1 and key.branches[0] in tree.parents:
            return key.branches[0]
        raise ParameterError(
            "branch", f"required: this key reads {', '.join(key.branches)}; say which one"
        )
    if branch not in tree.parents:
        raise ParameterError("branch", f"no branch {branch!r}")
    if covered is not None and branch not in covered:
        raise exceptions.PermissionDenied(f"this key may not read branch {branch}")
    return branch


def reader_of(key: ApiKey, *, branch: str | None, channel: str | None, tree: BranchTree) -> Reader:
    if channel and key.channels and channel not in key.channels:
        raise exceptions.PermissionDenied(f"this key may not read channel {channel}")
    return Reader(
        branch=reader_branch(key, branch, tree),
        channel=channel or None,
        channels=frozenset(key.channels) if key.channels else None,
        audiences=key.audiences,
    )
