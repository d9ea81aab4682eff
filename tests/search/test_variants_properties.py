"""Search is branch-correct: over random three-level trees and overrides, what a branch
finds is exactly what :func:`effective_article` lets it read, in its own variant."""

from __future__ import annotations

import tempfile

from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content import consumers
from content.models import BranchTree
from content.selectors import AUDIENCES, effective_article
from search import indexing, services
from search.queries import Filters
from tests.factories import HQ_VARIABLES, BranchFactory, make_article, make_override

WORD = "理赔"  # every article's summary has it: a search for it finds every readable one
ARTICLES = ("KB-700001", "KB-700002", "KB-700003")


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    """Branch code -> parent code, HQ at the top, up to three provinces of up to two cities."""
    parents = {}
    for p in range(draw(st.integers(1, 3))):
        parents[f"P{p}"] = "HQ"
        for c in range(draw(st.integers(0, 2))):
            parents[f"P{p}-C{c}"] = f"P{p}"
    return parents


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    parents = draw(trees())
    codes = sorted(parents)
    overrides = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ARTICLES),
                st.sampled_from(codes),
                st.sampled_from(["summary", "hide", "show"]),
            ),
            max_size=6,
            unique_by=lambda o: (o[0], o[1]),
        )
    )
    return parents, overrides


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenario=scenarios())
def test_each_branch_finds_exactly_its_readable_variants(db: None, scenario) -> None:
    parents, overrides = scenario
    with transaction.atomic(), override_settings(KMS_SEARCH_INDEX_DIR=tempfile.mkdtemp()):
        BranchFactory(code="HQ", parent=None, variables=HQ_VARIABLES)
        for code, parent in parents.items():  # parents come before their children
            BranchFactory(code=code, parent=BranchFactory(code=parent), variables={})
        for key in ARTICLES:
            make_article(key=key, title=f"标题{key}", summary=f"{WORD}说明{key}")
        for key, code, kind in overrides:
            if kind == "summary":
                make_override(key, code, summary=f"{WORD}{code}专属说明")
            else:
                make_override(key, code, hidden=kind == "hide")
        consumers.drain(indexing.NAME)
        tree = BranchTree.load()
        for code in tree.codes:
            page = services.search(WORD, Filters(code, AUDIENCES), limit=50, tree=tree)
            found = {result.key: result.summary for result in page.results}
            expected = {}
            for key in ARTICLES:
                article = effective_article(key, branch=code, tree=tree)
                if article is not None:
                    expected[key] = article.summary
            assert found == expected, code
            assert page.count == len(expected)
        transaction.set_rollback(True)
