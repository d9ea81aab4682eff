"""One conformance suite for every engine: the same corpus, queries, filters and expected
keys. Elasticsearch runs where ELASTICSEARCH_URL is set (docker-compose provides one)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from content import consumers
from search import indexing
from search.backends import engine
from tests.api.conftest import CLAIMS, COUNTER_ONLY, HIDDEN_IN_SC, INTERNAL, NOT_YET, Api
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ENGINES = ["embedded", pytest.param("elasticsearch", marks=pytest.mark.es)]

# (query, parameters, the keys expected first — in order — and keys that must not appear)
CASES = [
    ("理赔材料", {"branch": "GD"}, [CLAIMS], []),
    ("医保结算单", {"branch": "GD-SZ"}, [CLAIMS], []),
    ("医保结算单", {"branch": "SC"}, [], [CLAIMS]),
    ("理賠材料", {"branch": "GD"}, [CLAIMS], []),
    ("里赔材料", {"branch": "GD"}, [CLAIMS], []),
    ("异地就医备案", {"branch": "GD"}, [HIDDEN_IN_SC], []),
    ("异地就医备案", {"branch": "SC"}, [], [HIDDEN_IN_SC]),
    ("理赔调查授权", {}, [], [INTERNAL]),
    ("保单借款", {}, [COUNTER_ONLY], []),
    ("保单借款", {"channel": "bot"}, [], [COUNTER_ONLY]),
    ("2099年新规", {}, [], [NOT_YET]),
    ("理赔", {"category": "理赔/进度"}, ["KB-100020"], [CLAIMS]),
    ("理赔", {"tag": "进度"}, ["KB-100020"], [CLAIMS]),
]


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest, settings) -> Iterator[str]:
    settings.KMS_SEARCH_BACKEND = request.param
    settings.KMS_SEARCH_INDEX_PREFIX = f"kms-test-{uuid.uuid4().hex[:8]}"
    yield request.param
    if request.param == "elasticsearch":
        client = engine().client
        for name in client.indices.get(index=f"{settings.KMS_SEARCH_INDEX_PREFIX}-*"):
            client.indices.delete(index=name)


def found(api: Api, q: str, params: dict) -> list[str]:
    response = api.get("search", {"q": q, **params})
    assert response.status_code == 200, response.json()
    return [result["key"] for result in response.json()["results"]]


def test_every_engine_finds_the_same(api: Api, engine_name: str) -> None:
    make_article(key="KB-100020", title="理赔进度如何查询", category="理赔/进度", tags=["进度"])
    indexing.rebuild()
    for q, params, first, absent in CASES:
        keys = found(api, q, params)
        assert keys[: len(first)] == first, (q, params, keys)
        assert not set(absent) & set(keys), (q, params, keys)
        assert len(keys) == len(set(keys))


def test_every_engine_follows_publishing(api: Api, engine_name: str) -> None:
    indexing.rebuild()
    make_article(key="KB-100021", title="退保需要多久到账")
    consumers.drain(indexing.NAME)
    assert found(api, "退保", {}) == ["KB-100021"]
    facets = api.get("search", {"q": "退保"}).json()["facets"]
    assert facets["category"] == {"理赔": 1, "理赔/医疗": 1}
    suggestions = api.get("suggest", {"q": "tbxy"}).json()["suggestions"]
    assert [s["key"] for s in suggestions] == ["KB-100021"]
    answer = api.get("answer", {"q": "退保需要多久到账"}).json()
    assert answer["answer"]["key"] == "KB-100021"


def test_every_engine_counts_best_bets_in_the_facets(api: Api, engine_name: str) -> None:
    from content.models import KnowledgeArticle
    from search.models import PromotedResult

    make_article(key="KB-100022", title="退保手续费", category="保全", tags=["退保"])
    indexing.rebuild()
    PromotedResult.objects.create(
        query="退保手续费", article=KnowledgeArticle.objects.get(key=CLAIMS)
    )
    page = api.get("search", {"q": "退保手续费"}).json()
    assert [r["key"] for r in page["results"]][:2] == [CLAIMS, "KB-100022"]
    assert page["facets"]["category"] == {"理赔": 1, "理赔/医疗": 1, "保全": 1}
