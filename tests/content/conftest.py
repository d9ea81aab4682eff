"""Fixtures shared by the content tests."""

from __future__ import annotations

import pytest

from tests.factories import BranchFactory


@pytest.fixture
def tree() -> dict[str, object]:
    """HQ with two provinces, each with its own hotline."""
    hq = BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})
    gd = BranchFactory(code="GD", name="广东分公司", parent=hq, variables={"hotline": "020-1"})
    sc = BranchFactory(code="SC", name="四川分公司", parent=hq, variables={"hotline": "028-1"})
    return {"HQ": hq, "GD": gd, "SC": sc}
