"""The branch tree each process keeps in memory: fresh once a branch change commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from content.models import Branch, BranchTree
from content.selectors import branch_tree
from content.services.branches import branch_delete, branch_save
from content.stamps import Stamped
from tests.factories import OPERATOR, BranchFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_every_process_reads_a_branch_change_once_it_commits(django_assert_num_queries) -> None:
    hq = BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})
    other_process = Stamped("branch-tree", BranchTree.load)  # the same memo, elsewhere
    assert branch_tree().variables_of("HQ") == {"hotline": "95500"}
    assert other_process.get().parents == {"HQ": None}
    with django_assert_num_queries(0):  # held: no query until something changes
        branch_tree()
        other_process.get()

    branch_save(Branch(code="GD", name="广东分公司", parent=hq, variables={}), actor=OPERATOR)
    assert set(branch_tree().parents) == set(other_process.get().parents) == {"HQ", "GD"}
    hq.variables = {"hotline": "95519"}
    branch_save(hq, actor=OPERATOR)
    assert other_process.get().variables_of("GD") == {"hotline": "95519"}
    branch_delete(Branch.objects.get(code="GD"), actor=OPERATOR)
    assert set(branch_tree().parents) == set(other_process.get().parents) == {"HQ"}


def test_a_tree_read_in_a_transaction_that_rolled_back_is_not_kept() -> None:
    hq = BranchFactory(code="HQ", parent=None)
    assert set(branch_tree().parents) == {"HQ"}
    with transaction.atomic():
        BranchFactory(code="GD", parent=hq)
        assert set(branch_tree().parents) == {"HQ", "GD"}  # this transaction sees its own
        transaction.set_rollback(True)
    assert set(branch_tree().parents) == {"HQ"}
