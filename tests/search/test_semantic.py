"""Ranking by meaning: sentence vectors from the bundled model rerank the engine's hits."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from content import consumers
from content.selectors import AUDIENCES
from kms.celery import app as celery_app
from search import indexing, services, tasks, vectors
from search.backends.base import Hit
from search.models import EmbeddingBacklog, PassageVector
from search.queries import Filters
from search.signals import passages_embed_soon
from tests.factories import make_article

HQ = Filters("HQ", AUDIENCES)
SURRENDER = "KB-300001"
LOAN = "KB-300002"
# A customer who wants out of the policy: 保单 and 钱 are the loan article's words more
# than the surrender one's, but what they mean is a surrender.
WANTS_OUT = "我想把保单退掉拿回钱"


@pytest.fixture
def semantic(settings: pytest.FixtureRequest) -> None:
    """Ranking by meaning as installations have it (the test settings switch it off)."""
    settings.KMS_SEARCH_SEMANTIC = {**settings.KMS_SEARCH_SEMANTIC, "enabled": True}


PAIR = {
    SURRENDER: (
        "退保怎么办理？",
        "犹豫期后解除合同，可领取保单的现金价值。",
        "携带身份证和保单到柜面申请解除合同，退还现金价值。",
    ),
    LOAN: (
        "保单借款怎么申请？",
        "保单有现金价值时可以借款，钱款三个工作日到账，借款的钱按时归还。",
        "保单借款最高为现金价值的80%，钱款到账后按期还款；逾期的钱计息。",
    ),
}


def _publish_pair(capture: Callable) -> None:
    """Publish the two articles and let the indexer commit them, and what runs after it
    (`capture` is pytest-django's ``django_capture_on_commit_callbacks``)."""
    for key, (title, summary, body) in PAIR.items():
        make_article(
            key=key, title=title, summary=summary, body=body, questions=[], tags=[], category="保全"
        )
    with capture(execute=True):
        consumers.drain(indexing.NAME)


def _keys(question: str) -> list[str]:
    return [result.key for result in services.search(question, HQ).results]


def _hit(key: str, score: float) -> Hit:
    return Hit(key, score, "", {})


def _unit(*values: float) -> np.ndarray:
    vector = np.zeros(vectors.DIMENSIONS, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def test_the_blend_weighs_words_and_meaning_on_a_fixed_scale() -> None:
    question = _unit(1.0)
    hits = [_hit("words", 2.0), _hit("unknown", 1.5), _hit("meaning", 1.0), _hit("deep", 0.5)]
    known = {
        "words": _unit(0.0, 1.0),  # the best words, another meaning (cosine 0)
        "meaning": _unit(1.0, 0.1),  # fewer words, the question's meaning (cosine 0.995)
    }  # "unknown" is not embedded yet: it counts as the median of the others
    assert [h.key for h in vectors.reranked(hits, question, known, 0.0, 3)] == [
        "words",
        "unknown",
        "meaning",
        "deep",
    ]
    blended = vectors.reranked(hits, question, known, 0.5, 3)
    assert [h.key for h in blended] == ["meaning", "unknown", "words", "deep"]
    # past the reranked depth: the engine's order, scored below every reranked hit
    assert [h.score for h in blended] == sorted((h.score for h in blended), reverse=True)
    # closeness is a fixed scale: a negligible difference in meaning stays negligible
    assert vectors.closeness(0.850) == pytest.approx(vectors.closeness(0.852), abs=0.02)
    assert vectors.closeness(0.5) == 0.0 and vectors.closeness(0.99) == 1.0


@pytest.mark.django_db
def test_a_question_in_other_words_finds_the_article_that_means_it(
    semantic: None, django_capture_on_commit_callbacks: Callable
) -> None:
    _publish_pair(django_capture_on_commit_callbacks)
    assert _keys(WANTS_OUT)[0] == SURRENDER
    assert _keys("我想把保單退掉拿回錢")[0] == SURRENDER  # traditional characters


@pytest.mark.django_db
def test_by_words_alone_the_same_question_finds_the_loan_first(
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _publish_pair(django_capture_on_commit_callbacks)  # ranking by meaning off (test settings)
    assert _keys(WANTS_OUT)[0] == LOAN


@pytest.mark.django_db
def test_a_publish_is_embedded_after_the_indexer_commits_and_stored_once(
    semantic: None, django_capture_on_commit_callbacks: Callable
) -> None:
    _publish_pair(django_capture_on_commit_callbacks)
    assert PassageVector.objects.count() == 2
    assert len(vectors.stored(map(vectors.digest, indexing.passages()))) == 2
    with django_capture_on_commit_callbacks(execute=True):
        consumers.replay(indexing.NAME, from_seq=1)  # indexed again: nothing new to embed
    assert PassageVector.objects.count() == 2


@pytest.mark.django_db
def test_a_large_import_ranks_by_words_until_kms_embed_embeds_it(
    semantic: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Where tasks run eagerly (the embedded default): the importer is not kept waiting."""
    monkeypatch.setattr(tasks, "EMBED_BATCH", 1)  # as an import's thousands
    _publish_pair(django_capture_on_commit_callbacks)
    assert PassageVector.objects.count() == 0
    assert "passages queued articles=2: they rank by words until embedded" in caplog.text
    assert _keys(WANTS_OUT)[0] == LOAN  # no vectors yet: by words
    with pytest.raises(CommandError, match="2 of 2 published passages have no vector") as failed:
        call_command("kms_embed", "--check")  # what monitoring runs: embeds nothing
    assert failed.value.returncode == 1 and PassageVector.objects.count() == 0

    out = io.StringIO()
    call_command("kms_embed", stdout=out)

    assert "embedded 2 passages" in out.getvalue()
    assert _keys(WANTS_OUT)[0] == SURRENDER  # at once: no reindex
    call_command("kms_embed", "--prune", stdout=out)
    assert "embedded 0 passages" in out.getvalue() and "pruned 0" in out.getvalue()
    call_command("kms_embed", "--check", stdout=out)
    assert "all 2 published passages have a vector" in out.getvalue()
    assert not EmbeddingBacklog.objects.exists()  # nothing left for the scheduler


@pytest.mark.django_db
def test_the_scheduler_embeds_a_large_publish_a_batch_a_tick(
    semantic: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable
) -> None:
    """The embedded default has no worker: what was published too many at once to embed
    in the publishing thread (a release, an import) is embedded by `make run`'s
    scheduler, the longest waiting first, without anyone running kms_embed."""
    monkeypatch.setattr(tasks, "EMBED_BATCH", 1)
    monkeypatch.setattr(tasks, "WAITING_BATCH", 1)
    _publish_pair(django_capture_on_commit_callbacks)
    assert sorted(EmbeddingBacklog.objects.values_list("key", flat=True)) == [SURRENDER, LOAN]

    tasks.passages_embed_waiting()  # a tick

    assert PassageVector.objects.count() == 1 and EmbeddingBacklog.objects.count() == 1
    tasks.passages_embed_waiting()
    assert PassageVector.objects.count() == 2 and not EmbeddingBacklog.objects.exists()
    assert _keys(WANTS_OUT)[0] == SURRENDER
    tasks.passages_embed_waiting()  # an empty backlog: nothing to do


@pytest.mark.django_db
def test_the_backlog_keeps_what_the_model_could_not_embed(
    semantic: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable
) -> None:
    monkeypatch.setattr(tasks, "EMBED_BATCH", 1)
    _publish_pair(django_capture_on_commit_callbacks)
    monkeypatch.setattr(vectors, "_loaded", lambda: None)  # a CPU the model cannot run on

    tasks.passages_embed_waiting()

    assert EmbeddingBacklog.objects.count() == 2 and not PassageVector.objects.exists()


@pytest.mark.django_db
def test_an_article_queued_again_while_embedded_waits_for_the_next_tick(
    semantic: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    EmbeddingBacklog.queue([SURRENDER])
    # republished in a large batch while the tick embeds its older text
    monkeypatch.setattr(tasks, "_embedded", lambda keys: EmbeddingBacklog.queue(keys) or True)
    tasks.passages_embed_waiting()
    assert list(EmbeddingBacklog.objects.values_list("key", flat=True)) == [SURRENDER]


@pytest.mark.django_db
def test_pages_past_the_reranked_hits_go_on_in_the_engines_order(
    semantic: None, settings, django_capture_on_commit_callbacks: Callable
) -> None:
    settings.KMS_SEARCH_SEMANTIC = {**settings.KMS_SEARCH_SEMANTIC, "candidates": 2}
    _publish_pair(django_capture_on_commit_callbacks)
    for n in range(3):
        make_article(key=f"KB-30001{n}", title=f"保单第{n}号通知", questions=[], tags=[])
    consumers.drain(indexing.NAME)
    pages = [services.search("保单", HQ, limit=2, offset=at).results for at in (0, 2, 4)]
    listed = [result for page in pages for result in page]
    assert len({result.key for result in listed}) == len(listed) == 5
    scores = [result.score for result in listed]
    assert scores == sorted(scores, reverse=True)


def test_text_utf8_cannot_carry_is_embedded_not_refused(semantic: None) -> None:
    lone = "理赔\ud800材料"  # a JSON escape can make one; UTF-8 cannot encode it
    assert vectors.question_vector(lone).shape == (vectors.DIMENSIONS,)
    assert vectors.unpacked(vectors.embed_passages([lone])[0]).shape == (vectors.DIMENSIONS,)
    assert vectors.digest(lone) != vectors.digest("理赔材料")


@pytest.mark.django_db
def test_a_serving_process_embeds_the_question_beside_the_search(
    semantic: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable
) -> None:
    """A gunicorn worker gives the model one core (OMP_NUM_THREADS=1): the question is
    embedded on the model's thread while the engine searches on the reader's."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(vectors, "cores", lambda: 2)
    _publish_pair(django_capture_on_commit_callbacks)
    embedded_on = []
    model_query = vectors._model().query
    monkeypatch.setattr(
        vectors._model(),
        "query",
        lambda text: embedded_on.append(threading.current_thread().name) or model_query(text),
    )

    assert _keys(WANTS_OUT)[0] == SURRENDER

    assert embedded_on and embedded_on[0].startswith("kms-question")


@pytest.mark.django_db
def test_a_search_with_nothing_to_compare_embeds_no_question(
    semantic: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable
) -> None:
    """Outside serving processes the question is embedded after the search, only when at
    least two hits have vectors: a search finding nothing pays nothing for the model."""
    _publish_pair(django_capture_on_commit_callbacks)
    asked = []
    model_query = vectors._model().query
    monkeypatch.setattr(
        vectors._model(), "query", lambda text: asked.append(text) or model_query(text)
    )

    assert _keys("qwxzv") == []
    assert asked == []
    assert _keys(WANTS_OUT)[0] == SURRENDER and len(asked) == 1


def test_a_forked_worker_embeds_questions_though_its_parent_was_embedding_one(
    semantic: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn and Celery fork their workers, which give the model one core: the
    parent's model thread is not in the child, nor is a question it was embedding at that
    moment holding the child back."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(vectors, "cores", lambda: 2)
    vectors.question_vector("退保")  # the parent's thread exists
    with vectors._asking:  # and is busy as the worker is forked
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through its exit status
            try:
                shape = vectors.question_vector_soon("退保").result(timeout=30).shape
                os._exit(0 if shape == (vectors.DIMENSIONS,) else 1)
            finally:  # never back into the test runner's code
                os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.django_db
def test_without_a_working_model_search_ranks_by_words_and_publishing_goes_on(
    semantic: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable
) -> None:
    monkeypatch.setattr(vectors, "_loaded", lambda: None)  # as on a machine it cannot run on
    _publish_pair(django_capture_on_commit_callbacks)
    assert PassageVector.objects.count() == 0  # left to kms_embed, which says why it cannot
    assert _keys(WANTS_OUT)[0] == LOAN
    assert services.answer(WANTS_OUT, HQ) is not None
    with pytest.raises(CommandError, match="cannot run here"):
        call_command("kms_embed")


@pytest.mark.django_db
def test_a_question_the_busy_model_cannot_take_at_once_ranks_by_words(
    semantic: None, django_capture_on_commit_callbacks: Callable
) -> None:
    _publish_pair(django_capture_on_commit_callbacks)
    assert _keys(WANTS_OUT)[0] == SURRENDER
    with vectors._asking:  # another question is being embedded in this process
        assert _keys(WANTS_OUT)[0] == LOAN


@pytest.mark.django_db
def test_prune_keeps_what_was_embedded_while_it_ran(
    semantic: None, django_capture_on_commit_callbacks: Callable
) -> None:
    _publish_pair(django_capture_on_commit_callbacks)
    vector = PassageVector.objects.first().vector
    old = PassageVector.objects.create(digest="0" * 64, vector=vector)
    PassageVector.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(1))
    meanwhile = PassageVector.objects.create(digest="1" * 64, vector=vector)
    PassageVector.objects.filter(pk=meanwhile.pk).update(
        created_at=timezone.now() + dt.timedelta(minutes=1)  # stored after the run read
    )
    out = io.StringIO()
    call_command("kms_embed", "--prune", stdout=out)
    assert "pruned 1 vectors" in out.getvalue()
    assert set(PassageVector.objects.values_list("digest", flat=True)) >= {"1" * 64}
    assert not PassageVector.objects.filter(digest="0" * 64).exists()


@pytest.fixture
def on_workers(settings: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks sent to the broker (the test settings' in-memory one), as in services mode."""
    settings.CELERY_TASK_ALWAYS_EAGER = celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


def test_on_workers_every_backlog_is_embedded_a_batch_a_task_on_its_own_queue(
    on_workers: None,
) -> None:
    """Services mode: an import's thousands are embedded too, on the embedding queue, where
    they hold up neither the index updates nor the webhooks of the default queue."""
    keys = [f"KB-{n:06d}" for n in range(1, tasks.EMBED_BATCH * 2 + 2)]

    passages_embed_soon(keys=keys)

    with celery_app.connection_for_read() as connection:
        queued = [connection.SimpleQueue(name) for name in (tasks.EMBEDDING_QUEUE, "celery")]
        sent = []
        while (message := _next(queued[0])) is not None:
            sent.append(message.payload[0][0])
            message.ack()
        assert _next(queued[1]) is None
        for queue in queued:
            queue.close()
    assert [len(batch) for batch in sent] == [tasks.EMBED_BATCH, tasks.EMBED_BATCH, 1]
    assert [key for batch in sent for key in batch] == keys


def _next(queue: object) -> object:
    try:
        return queue.get(timeout=0.2)
    except queue.Empty:
        return None


def test_kms_embed_check_fails_only_for_a_missing_vector() -> None:
    """Monitoring reads status 1 as "articles rank by words": a mistaken command line is 2,
    and with ranking by meaning off nothing is missing."""
    mistaken = subprocess.run(
        [sys.executable, "manage.py", "kms_embed", "--check", "--prune"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mistaken.returncode == 2 and "not allowed with argument" in mistaken.stderr
    out = io.StringIO()
    call_command("kms_embed", "--check", stdout=out)  # the test settings: meaning off
    assert "ranking by meaning is off: no passage needs a vector" in out.getvalue()
