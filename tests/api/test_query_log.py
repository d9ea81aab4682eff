"""The query log: every search, suggest and answer call, masked, joined to its feedback."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from django.db import DatabaseError
from django.utils import timezone

from api import analytics
from api.models import Feedback, QueryLog, ResultEvent, masked
from api.services import query_log_prune
from tests.api.conftest import CLAIMS, INTERNAL, Api
from tests.api.test_search import ask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_buffer() -> None:
    """Queries other tests made (and never wrote) are not this test's."""
    analytics._current().rows.clear()


def logged(query_id: str) -> QueryLog:
    analytics.flush()
    return QueryLog.objects.get(pk=query_id)


def test_a_search_is_logged_with_what_it_found(api: Api) -> None:
    page = ask(api, "search", {"q": "理赔材料", "branch": "GD", "channel": "agent"}).json()
    row = logged(page["query_id"])
    assert (row.kind, row.query, row.branch_code, row.channel) == (
        "search",
        "理赔材料",
        "GD",
        "agent",
    )
    assert (
        row.result_count == page["count"] and row.top_keys[0] == CLAIMS == page["results"][0]["key"]
    )
    assert row.key_name.startswith("client-") and row.latency_ms > 0
    assert row.confidence is None and row.answered is None


def test_suggest_and_answer_are_logged_too(api: Api) -> None:
    suggested = ask(api, "suggest", {"q": "lp"}).json()
    assert logged(suggested["query_id"]).result_count == len(suggested["suggestions"])
    nothing = ask(api, "answer", {"q": "今天天气怎么样"}).json()
    row = logged(nothing["query_id"])
    assert (row.kind, row.answered, row.result_count, row.top_keys) == ("answer", False, 0, [])
    assert row.confidence == nothing["confidence"]


def test_policy_and_id_numbers_are_never_kept(api: Api) -> None:
    question = "保单P20240001理赔，身份证11010519491231002X，60岁，电话１３８００１３８０００"
    page = ask(api, "search", {"q": question}).json()
    assert logged(page["query_id"]).query == (
        "保单P########理赔，身份证#################X，60岁，电话###########"
    )
    assert masked("2年，60岁 100元") == "2年，60岁 100元"
    for typed, kept in (
        ("138-1234-5678", "###-####-####"),
        ("6222 0212 3456 7890 123", "#### #### #### #### ###"),
        ("12,345,678元", "##,###,###元"),
        ("1" * 20_000, "#" * 20_000),
        ("电话幺三八一二三四五六七八", "电话###########"),
        ("保单号 二〇二四 零零零一", "保单号 #### ####"),
        ("一年交三次，两千元，十一月", "一年交三次，两千元，十一月"),
        ("一二三", "一二三"),
        ("手机 1、3、8、1、2、3、4、5、6、7、8", "手机 #、#、#、#、#、#、#、#、#、#、#"),
        ("138\u200b1234\u200b5678", "###\u200b####\u200b####"),
        ("138\t1234－5678", "###\t####－####"),
        ("138 - 1234 - 5678", "### - #### - ####"),
        ("壹叁捌壹贰叁肆伍陆柒捌", "###########"),
        ("1、2、3", "1、2、3"),
        ("第一、二条", "第一、二条"),
        # digits search reads as digits (NFKC): circled, superscript, bracketed, bold
        ("①③⑧①②③④", "#######"),
        ("¹³⁸¹²³⁴", "#######"),
        ("⑴⑶⑻⑴⑵", "#####"),
        ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒", "#######"),
        ("⑩⑪⑫⑬", "####"),
        ("第①条", "第①条"),
    ):
        assert masked(typed) == kept


def test_feedback_joins_its_query_and_is_masked_alike(api: Api) -> None:
    page = ask(api, "search", {"q": "理赔材料"}).json()
    body = {"key": CLAIMS, "helpful": False, "query": "保单88886666", "query_id": page["query_id"]}
    assert api.post("feedback", body).status_code == 201
    feedback = Feedback.objects.get()
    assert feedback.query == "保单########"
    assert logged(feedback.query_id).query == "理赔材料"
    bad = api.post("feedback", {**body, "query_id": "not-a-uuid"})
    assert bad.status_code == 400 and "query_id" in bad.json()["error"]["details"]


def test_opening_and_copying_a_result_join_its_query(api: Api) -> None:
    page = ask(api, "search", {"q": "理赔材料", "branch": "GD"}).json()
    for action in ("opened", "copied"):
        body = {"query_id": page["query_id"], "key": CLAIMS, "action": action, "branch": "GD"}
        assert api.post("events", body).status_code == 201
    events = ResultEvent.objects.filter(query_id=page["query_id"]).order_by("pk")
    assert [(e.action, e.article_key, e.branch_code) for e in events] == [
        ("opened", CLAIMS, "GD"),
        ("copied", CLAIMS, "GD"),
    ]
    assert logged(page["query_id"]).top_keys[0] == CLAIMS


def test_a_reader_counts_once_per_result_of_a_query_however_often_it_is_sent(api: Api) -> None:
    """A query_id sent again (a retrying client, or one inflating the figures) changes no
    count: one verdict per article per query — the latest — and each action once."""
    page = ask(api, "search", {"q": "理赔材料"}).json()
    verdict = {"key": CLAIMS, "helpful": True, "query_id": page["query_id"]}
    # the first is created (201); a repeat is told it replaced the one recorded (200)
    assert [api.post("feedback", verdict).status_code for _ in range(3)] == [201, 200, 200]
    first = Feedback.objects.get().created_at
    changed = {**verdict, "helpful": False, "comment": "看错了"}
    assert api.post("feedback", changed).status_code == 200
    assert [(f.helpful, f.comment) for f in Feedback.objects.all()] == [(False, "看错了")]
    assert Feedback.objects.get().created_at > first  # counted when the reader changed it
    event = {"query_id": page["query_id"], "key": CLAIMS, "action": "opened"}
    assert [api.post("events", event).status_code for _ in range(3)] == [201, 200, 200]
    assert ResultEvent.objects.filter(query_id=page["query_id"]).count() == 1
    unjoined = {"key": CLAIMS, "helpful": True}  # no query to count it against: each counts
    assert [api.post("feedback", unjoined).status_code for _ in range(2)] == [201, 201]
    assert Feedback.objects.filter(query_id=None).count() == 2


def found(api: Api) -> dict:
    """An event body for what a search `api` made found."""
    query_id = ask(api, "search", {"q": "理赔材料"}).json()["query_id"]
    return {"query_id": query_id, "key": CLAIMS, "action": "opened"}


def test_a_bad_event_is_a_400_naming_the_field(api: Api) -> None:
    good = found(api)
    for change, field in (
        ({"action": "printed"}, "action"),
        ({"query_id": "x"}, "query_id"),
        ({"key": INTERNAL}, "key"),  # a public key may not read it: as if it did not exist
        ({"extra": 1}, "extra"),
    ):
        response = api.post("events", {**good, **change})
        assert response.status_code == 400, change
        assert field in response.json()["error"]["details"]
    assert not ResultEvent.objects.exists()


def test_a_query_id_must_be_a_uuid_string_and_a_body_branch_is_a_body_error(api: Api) -> None:
    good = found(api)
    for query_id in (51, True, 2**128 - 1):
        response = api.post("events", {**good, "query_id": query_id})
        assert response.status_code == 400 and "query_id" in response.json()["error"]["details"]
        feedback = api.post("feedback", {"key": CLAIMS, "helpful": True, "query_id": query_id})
        assert feedback.status_code == 400
    response = api.post("events", {**good, "branch": "XX"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body" and "branch" in error["details"]


def test_a_query_id_this_key_was_not_given_is_refused(api: Api, issue) -> None:
    """Made up, or another key's: feedback and events joined to it would put one client's
    verdicts on another's queries in the knowledge team's analytics."""
    other = Api(issue(name="other-bot"))
    theirs = found(other)
    for query_id in (theirs["query_id"], "00000000-0000-4000-8000-000000000000"):
        for path, body in (
            ("events", {**theirs, "query_id": query_id}),
            ("feedback", {"key": CLAIMS, "helpful": False, "query_id": query_id}),
        ):
            response = api.post(path, body)
            assert response.status_code == 400, (path, query_id)
            assert "query_id" in response.json()["error"]["details"]
    assert not ResultEvent.objects.exists() and not Feedback.objects.exists()
    assert other.post("events", theirs).status_code == 201  # the key it was given to


def test_an_unknown_field_does_not_hide_the_other_errors(api: Api) -> None:
    response = api.post("events", {"evil": 1, "key": ["KB-1"], "action": "printed"})
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"evil", "key", "action", "query_id"}


def test_digit_runs_in_a_feedback_comment_are_masked_too(api: Api) -> None:
    body = {"key": CLAIMS, "helpful": False, "comment": "我的保单号 12345678 手机 13812345678"}
    assert api.post("feedback", body).status_code == 201
    assert Feedback.objects.get().comment == "我的保单号 ######## 手机 ###########"


def test_queries_past_their_retention_are_pruned(api: Api, settings) -> None:
    settings.KMS_ANALYTICS_RETENTION_DAYS = 90
    old = ask(api, "search", {"q": "理赔"}).json()["query_id"]
    recent = ask(api, "search", {"q": "保全"}).json()["query_id"]
    analytics.flush()
    QueryLog.objects.filter(pk=old).update(created_at=timezone.now() - dt.timedelta(days=91))
    body = {"query_id": old, "key": CLAIMS, "action": "opened"}
    assert api.post("events", body).status_code == 201
    ResultEvent.objects.update(created_at=timezone.now() - dt.timedelta(days=91))
    assert query_log_prune() == 2
    assert list(QueryLog.objects.values_list("pk", flat=True)) == [
        QueryLog.objects.get(pk=recent).pk
    ]


def _record(query: str) -> str:
    return str(
        analytics.record(
            "search",
            query=query,
            branch="HQ",
            channel=None,
            key_name="k",
            result_count=0,
            top_keys=[],
            latency_ms=1.0,
        )
    )


def test_a_full_buffer_drops_the_oldest_and_a_failed_write_keeps_the_rows(monkeypatch) -> None:
    monkeypatch.setattr(analytics, "BUFFER_MAX", 3)
    ids = [_record(f"问题{n}") for n in range(5)]
    real = QueryLog.objects.bulk_create

    def unavailable(rows: list) -> None:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(QueryLog.objects, "bulk_create", unavailable)
    assert analytics.flush() == 0
    monkeypatch.setattr(QueryLog.objects, "bulk_create", real)
    assert analytics.flush() == 3
    assert {str(pk) for pk in QueryLog.objects.values_list("pk", flat=True)} == set(ids[2:])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_web_process_writes_its_queries_in_the_background(settings) -> None:
    settings.KMS_ANALYTICS_FLUSH_SECONDS = 0.05
    query_id = _record("退保")
    deadline = time.monotonic() + 10
    while not QueryLog.objects.filter(pk=query_id).exists():
        assert time.monotonic() < deadline, "the writer thread never wrote the query"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": CLAIMS, "helpful": "yes"}, "helpful"),
        ({"key": CLAIMS, "helpful": 1}, "helpful"),
        ({"key": CLAIMS, "helpful": True, "query": 51}, "query"),
        ({"key": CLAIMS, "helpful": True, "comment": ["很好"]}, "comment"),
        ({"key": 100001, "helpful": True}, "key"),
        ({"key": CLAIMS, "helpful": True, "branch": 1}, "branch"),
    ],
)
def test_feedback_takes_each_field_in_its_own_json_type(api: Api, body: dict, field: str) -> None:
    response = api.post("feedback", body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body" and list(error["details"]) == [field]
    assert not Feedback.objects.exists()


def test_query_ids_are_uuids_bound_to_their_key() -> None:
    from api import query_ids

    given = query_ids.issue(7)
    assert given.version == 8 and given.variant == uuid.RFC_4122
    assert query_ids.issued_to(given, 7)
    assert not query_ids.issued_to(given, 71)
    assert not query_ids.issued_to(uuid.UUID(int=given.int ^ 1), 7)  # one bit off
    assert len({query_ids.issue(7) for _ in range(1000)}) == 1000


def test_a_query_id_stays_with_its_key_through_a_new_name(api: Api, issue) -> None:
    from api.models import ApiKey

    client = Api(issue(name="counter-app"))
    body = found(client)
    ApiKey.objects.filter(name="counter-app").update(name="counter-app-old")
    impostor = Api(issue(name="counter-app"))  # a new key under the old name
    assert impostor.post("events", body).status_code == 400
    assert client.post("events", body).status_code == 201


@pytest.mark.parametrize(
    "raw",
    [
        '{"key": "KB-000001", "helpful": true, "channel": "\\ud800"}',  # a choice
        '{"key": "KB-000001", "helpful": true, "\\ud800": 1}',  # a field's name
    ],
)
def test_half_a_character_in_a_body_is_a_400_not_a_500(api: Api, raw: str) -> None:
    response = api.post("feedback", raw)

    assert response.status_code == 400
    assert "half of a character" in response.json()["error"]["message"]
    assert not Feedback.objects.exists()
