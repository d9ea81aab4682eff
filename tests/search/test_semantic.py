"""Ranking by meaning: sentence vectors from the bundled model rerank the engine's hits."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command

from content import consumers
from content.selectors import AUDIENCES
from search import indexing, services, vectors
from search.backends import engine
from search.backends.base import Hit
from search.models import PassageVector
from search.queries import Filters
from tests.factories import make_article

HQ = Filters("HQ", AUDIENCES)
SURRENDER = "KB-300001"
LOAN = "KB-300002"
# A customer who wants out of the policy: 保单 and 钱 are the loan article's words too,
# but what they mean is a surrender.
WANTS_OUT = "这份保单我不要了，钱能拿回来吗"


@pytest.fixture
def semantic(settings: pytest.FixtureRequest) -> None:
    settings.KMS_SEARCH_SEMANTIC = {**settings.KMS_SEARCH_SEMANTIC, "weight": 0.5}


def _publish_pair() -> None:
    make_article(
        key=SURRENDER,
        title="退保怎么办理？",
        summary="犹豫期后解除合同，可领取保单的现金价值。",
        body="携带身份证和保单到柜面申请解除合同，退还现金价值。",
        questions=[],
        tags=[],
        category="保全",
    )
    make_article(
        key=LOAN,
        title="保单借款怎么申请？",
        summary="保单有现金价值时可以借款，钱款三个工作日到账，借款的钱按时归还。",
        body="保单借款最高为现金价值的80%，钱款到账后按期还款；逾期的钱计息。",
        questions=[],
        tags=[],
        category="保全",
    )
    consumers.drain(indexing.NAME)


def _keys(question: str) -> list[str]:
    return [result.key for result in services.search(question, HQ).results]


def _hit(key: str, score: float, vector: np.ndarray | None) -> Hit:
    packed = b"" if vector is None else vector.astype(vectors.DTYPE).tobytes()
    return Hit(key, score, "", {}, packed)


def _unit(*values: float) -> np.ndarray:
    vector = np.zeros(vectors.DIMENSIONS, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def test_the_blend_weighs_words_and_meaning_and_leaves_unembedded_hits_in_the_middle() -> None:
    question = _unit(1.0)
    hits = [
        _hit("words", 2.0, _unit(0.0, 1.0)),  # the best words, another meaning
        _hit("unknown", 1.5, None),  # not embedded yet: neither pushed up nor down
        _hit("meaning", 1.0, _unit(1.0, 0.1)),  # fewer words, the question's meaning
    ]
    assert [hit.key for hit in vectors.reranked(hits, question, 0.0)] == [
        "words",
        "unknown",
        "meaning",
    ]
    blended = vectors.reranked(hits, question, 0.5)
    assert [hit.key for hit in blended] == ["meaning", "unknown", "words"]
    assert [hit.score for hit in blended] == sorted((hit.score for hit in blended), reverse=True)
    assert vectors.reranked(hits[:1], question, 0.5) == hits[:1]


@pytest.mark.django_db
def test_a_question_in_other_words_finds_the_article_that_means_it(semantic: None) -> None:
    _publish_pair()
    assert _keys(WANTS_OUT)[0] == SURRENDER
    assert _keys("這份保單我不要了，錢能拿回來嗎")[0] == SURRENDER  # traditional characters


@pytest.mark.django_db
def test_by_words_alone_the_same_question_finds_the_loan_first() -> None:
    _publish_pair()  # semantic ranking off (the test settings' default)
    assert _keys(WANTS_OUT)[0] == LOAN


@pytest.mark.django_db
def test_a_publish_is_embedded_as_it_is_indexed_and_cached_once(semantic: None) -> None:
    _publish_pair()
    found = engine().fetch(Filters("HQ", AUDIENCES, keys=(SURRENDER, LOAN)), limit=2)
    assert all(vectors.unpacked(hit.vector) is not None for hit in found)
    assert PassageVector.objects.count() == 2
    assert indexing.missing_passages() == []


@pytest.mark.django_db
def test_a_bulk_import_ranks_by_words_until_reindex_embeds_it(
    semantic: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "EMBED_INLINE", 0)  # as an import's thousands of articles
    _publish_pair()
    monkeypatch.undo()
    assert PassageVector.objects.count() == 0
    assert len(indexing.missing_passages()) == 2
    assert _keys(WANTS_OUT)[0] == LOAN  # no vectors yet: by words

    call_command("kms_reindex", "--embed")

    assert PassageVector.objects.count() == 2
    assert indexing.missing_passages() == []
    assert _keys(WANTS_OUT)[0] == SURRENDER


def test_text_utf8_cannot_carry_is_embedded_not_refused(semantic: None) -> None:
    lone = "理赔\ud800材料"  # a JSON escape can make one; UTF-8 cannot encode it
    assert vectors.query_vector(lone).shape == (vectors.DIMENSIONS,)
    assert vectors.unpacked(vectors.embed_passages([lone])[0]) is not None
    assert vectors.digest(lone) != vectors.digest("理赔材料")


@pytest.mark.django_db
def test_without_a_working_model_search_ranks_by_words_and_publishing_goes_on(
    semantic: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "_loaded", lambda: None)  # as on a machine it cannot run on
    vectors.query_vector.cache_clear()
    _publish_pair()
    assert _keys(WANTS_OUT)[0] == LOAN
    assert len(indexing.missing_passages()) == 2  # embedded by kms_reindex --embed later
    assert services.answer(WANTS_OUT, HQ) is not None
