"""Query plans: what a reader's question asks of the engines."""

from __future__ import annotations

import dataclasses

from search import queries
from search.queries import Filters


def test_a_word_in_many_glossary_groups_brings_a_bounded_number_of_synonyms() -> None:
    synonyms = {"理赔": [(f"赔{n}",) for n in range(300)]}
    plan = queries.plan("理赔材料", Filters("HQ", ("public",)), synonyms=synonyms)
    claims = next(term for term in plan.terms if term.alternatives[0] == ("理赔",))
    assert len(claims.alternatives) == 1 + queries.SYNONYMS_MAX
    assert claims.alternatives[1] == ("赔0",)  # the glossary's first


def test_a_query_of_many_glossary_words_brings_a_bounded_number_of_synonyms() -> None:
    """100 glossary groups of 30 terms and a query of their head words: without a budget
    for the whole query, 2,500 alternatives and 0.3 s a search on a tiny corpus."""
    heads = [f"term{n:02d}" for n in range(100)]
    synonyms = {head: [(f"{head}x{k}",) for k in range(29)] for head in heads}
    plan = queries.plan(" ".join(heads), Filters("HQ", ("public",)), synonyms=synonyms)
    brought = [len(term.alternatives) - 1 for term in plan.terms]
    assert sum(brought) == queries.SYNONYMS_PER_QUERY
    assert brought[0] == queries.SYNONYMS_MAX  # the first words keep theirs


def _plan(frequencies: dict[str, dict[str, int]], total: int = 100) -> queries.Plan:
    plan = queries.Plan(
        terms=(queries.Term((("保险",),)), queries.Term((("退保",), ("解除", "合同")))),
        loose={"grams": ("保险", "退保", "错字")},
        filters=Filters("HQ", ("public",)),
        boosts={"text": 1.0, "title": 0.5, "grams": 0.5},
    )
    return dataclasses.replace(
        plan, frequencies=queries.Frequencies(total, frequencies), common_above=10
    )


def _selecting(plan: queries.Plan) -> set[tuple[str, str]]:
    return {(c.field, c.options[0][0][0]) for c in plan.clauses if c.selects}


def test_a_common_word_only_adds_to_the_score_of_what_a_rarer_one_found() -> None:
    plan = _plan({"text": {"保险": 90, "退保": 5}, "grams": {"保险": 95, "退保": 6, "错字": 0}})
    clauses = plan.clauses
    assert len(clauses) == 2 * 2 + 3  # every term in each boosted field, each bigram
    # 退保 selects in every field, with its synonym; 保险 and a bigram nobody holds do not
    assert _selecting(plan) == {("text", "退保"), ("title", "退保"), ("grams", "退保")}
    rare = next(c for c in clauses if c.field == "title" and c.selects)
    assert rare.options == ((("退保",), 1.0), (("解除", "合同"), queries.SYNONYM_WEIGHT))
    assert rare.boost == 0.5


def test_when_every_word_is_common_each_clause_selects() -> None:
    plan = _plan({"text": {"保险": 90, "退保": 50}, "grams": {"保险": 95, "退保": 60}})
    assert all(clause.selects for clause in plan.clauses)
    unlooked = dataclasses.replace(plan, frequencies=None)
    assert all(clause.selects for clause in unlooked.clauses)


def test_a_word_is_common_above_a_share_of_the_documents_and_a_floor(settings) -> None:
    settings.KMS_SEARCH_COMMON = {"share": 0.1, "documents": 1000}
    plan = queries.plan("退保", Filters("HQ", ("public",)))
    small = queries.with_frequencies(plan, queries.Frequencies(5000, {}))
    large = queries.with_frequencies(plan, queries.Frequencies(50_000, {}))
    assert (small.common_above, large.common_above) == (1000, 5000)
