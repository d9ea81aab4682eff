"""Query plans: what a reader's question asks of the engines."""

from __future__ import annotations

from search import queries
from search.queries import Filters


def test_a_word_in_many_glossary_groups_brings_a_bounded_number_of_synonyms() -> None:
    synonyms = {"理赔": [(f"赔{n}",) for n in range(300)]}
    plan = queries.plan("理赔材料", Filters("HQ", ("public",)), synonyms=synonyms)
    claims = next(term for term in plan.terms if term.alternatives[0] == ("理赔",))
    assert len(claims.alternatives) == 1 + queries.SYNONYMS_MAX
    assert claims.alternatives[1] == ("赔0",)  # the glossary's first
