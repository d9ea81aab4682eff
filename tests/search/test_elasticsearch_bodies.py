"""What the Elasticsearch engine sends: the mapping and the query of a plan (no server)."""

from __future__ import annotations

from elasticsearch.dsl import Search

from search.backends.elasticsearch import counting, filtering, query
from search.documents import mapping
from search.queries import Filters, Frequencies, Plan, Term

BOOSTS = {"title": 3.0, "questions": 2.0, "summary": 1.5, "sound": 0.5}


def test_analysed_fields_split_on_whitespace_and_filters_are_keywords() -> None:
    properties = mapping()["mappings"]["properties"]
    for name in ("text", "title", "questions", "summary"):
        assert properties[name] == {"type": "text", "analyzer": "whitespace", "similarity": "BM25"}
    for name in ("sound", "grams"):  # matched token by token: no positions kept
        assert properties[name] == {
            "type": "text",
            "analyzer": "whitespace",
            "similarity": "BM25",
            "index_options": "freqs",
        }
    keywords = ("key", "branches", "excluded", "channels", "audience", "category_paths", "tags")
    for name in (*keywords, "asked"):
        assert properties[name] == {"type": "keyword"}
    assert properties["payload"] == {"type": "keyword", "index": False, "doc_values": False}
    assert mapping()["settings"] == {"number_of_shards": 1, "number_of_replicas": 0}


def test_a_plan_compiles_to_boosted_terms_phrases_and_branch_filters() -> None:
    plan = Plan(
        terms=(Term((("理赔",), ("索赔",), ("解除", "合同"))),),
        loose={"sound": ("li_pei",)},
        filters=Filters("GD", ("public",), channels=("bot",), category="理赔", tag="x"),
        boosts=BOOSTS,
    )
    body = query(plan).to_dict()["bool"]
    should = body["must"][0]["bool"]["should"]
    title = should[0]["dis_max"]  # the best alternative counts, a synonym 0.8 of the word
    assert title["boost"] == 3.0
    assert title["queries"] == [
        {"term": {"title": {"value": "理赔"}}},
        {"term": {"title": {"value": "索赔", "boost": 0.8}}},
        {"match_phrase": {"title": {"query": "解除 合同", "boost": 0.8}}},
    ]
    assert should[-1] == {"term": {"sound": {"value": "li_pei", "boost": 0.5}}}
    assert body["must"][0]["bool"]["minimum_should_match"] == 1
    branch, audience, channels, category, tag = body["filter"]
    inherited = {
        "bool": {"must": [{"term": {"branches": "*"}}], "must_not": [{"term": {"excluded": "GD"}}]}
    }
    should = branch["bool"]["should"]
    assert len(should) == 2
    assert {"term": {"branches": "GD"}} in should and inherited in should
    assert audience == {"terms": {"audience": ["public"]}}
    assert channels == {"terms": {"channels": ["bot"]}}
    assert category == {"term": {"category_paths": "理赔"}}
    assert tag == {"term": {"tags": "x"}}


def test_a_zero_boost_leaves_the_field_out() -> None:
    plan = Plan((Term((("理赔",),)),), {}, Filters("HQ", ("public",)), {"title": 1.0})
    should = query(plan).to_dict()["bool"]["must"][0]["bool"]["should"]
    assert len(should) == 1 and "title" in str(should)


def test_a_plan_limited_to_some_articles_filters_by_key() -> None:
    plan = Plan((Term((("理赔",),)),), {}, Filters("HQ", ("public",), keys=("KB-1",)), BOOSTS)
    assert {"terms": {"key": ["KB-1"]}} in query(plan).to_dict()["bool"]["filter"]


def test_common_words_only_add_to_the_score() -> None:
    plan = Plan(
        (Term((("保险",),)), Term((("退保",),))),
        {},
        Filters("HQ", ("public",)),
        {"text": 1.0},
        frequencies=Frequencies(100, {"text": {"保险": 90, "退保": 3}}),
        common_above=10,
    )
    body = query(plan).to_dict()["bool"]["must"][0]["bool"]
    assert body["must"] == [
        {"bool": {"should": [{"term": {"text": {"value": "退保"}}}], "minimum_should_match": 1}}
    ]
    assert body["should"] == [{"term": {"text": {"value": "保险"}}}]


def test_facets_of_the_hits_and_of_best_bets_the_query_may_not_match() -> None:
    from elasticsearch.dsl import Search

    from search.backends.elasticsearch import FACET_SCOPE, searching

    plan = Plan((Term((("理赔",),)),), {}, Filters("GD", ("public",)), BOOSTS)
    plain = searching(Search(), plan, facets=True, also=()).to_dict()
    assert set(plain["aggs"]) == {"category", "products", "tags"}  # over the hits
    assert plain["track_total_hits"] is True
    body = searching(Search(), plan, facets=True, also=("KB-9",)).to_dict()
    scope = body["aggs"][FACET_SCOPE]
    assert scope["global"] == {}  # every document, then only the hits and the best bets:
    either = scope["aggs"][FACET_SCOPE]["filter"]["bool"]
    assert either["minimum_should_match"] == 1
    hits, pinned = either["should"]
    assert hits == query(plan).to_dict()
    assert {"terms": {"key": ["KB-9"]}} in pinned["bool"]["filter"]  # readable ones only:
    assert {"terms": {"audience": ["public"]}} in pinned["bool"]["filter"]
    assert set(scope["aggs"][FACET_SCOPE]["aggs"]) == {"category", "products", "tags"}
    assert "aggs" not in searching(Search(), plan, facets=False, also=("KB-9",)).to_dict()


def test_the_readers_articles_are_counted_by_the_filters_alone() -> None:
    """What `answer` weighs words by: every record the reader's filters let through."""
    filters = Filters("SC", ("public",), channels=("bot",))
    body = counting(Search(), filters).to_dict()
    assert body["size"] == 0 and body["track_total_hits"] is True
    assert body["query"] == {"bool": {"filter": [f.to_dict() for f in filtering(filters)]}}
    assert {"terms": {"audience": ["public"]}} in body["query"]["bool"]["filter"]
