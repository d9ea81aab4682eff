"""GET changes: the change log from a seq, per branch, resumable after any outage."""

from __future__ import annotations

from collections.abc import Callable

from content.models import ChangeEvent
from tests.api.conftest import CLAIMS, HIDDEN_IN_SC, INTERNAL, Api
from tests.factories import OPERATOR, make_article, make_override


def follow(api: Api, since: int = 0, **params: object) -> tuple[list[dict], int]:
    """Every change from `since`, page by page, as a counter syncs; and the last `next`."""
    changes: list[dict] = []
    while True:
        response = api.get("changes", {"since": since, **params})
        assert response.status_code == 200, response.content
        page = response.json()
        changes += page["changes"]
        if page["next"] == since:
            return changes, since
        since = page["next"]


def test_following_from_zero_reaches_the_head_in_order(api: Api) -> None:
    changes, last = follow(api, limit=3)

    seqs = [change["seq"] for change in changes]
    readable = ChangeEvent.objects.exclude(article_key=INTERNAL)  # a public key's
    assert seqs == list(readable.values_list("seq", flat=True))
    assert last == seqs[-1]
    published = next(c for c in changes if c["key"] == CLAIMS and c["action"] == "published")
    assert set(published) == {"seq", "key", "action", "branches", "revision", "at"}
    assert set(published["branches"]) == {"HQ", "GD", "GD-SZ", "SC"}


def test_a_counter_resumes_where_it_stopped(api: Api) -> None:
    _, last = follow(api)
    make_article(key=CLAIMS, summary="修订后的摘要。", products=[], tags=["理赔材料", "医疗险"])
    make_override(HIDDEN_IN_SC, "SC", hidden=False)

    changes, _ = follow(api, since=last)

    assert [(c["key"], c["action"]) for c in changes] == [
        (CLAIMS, "published"),
        (HIDDEN_IN_SC, "override_published"),
    ]


def test_a_branch_follows_only_what_affects_it(api: Api) -> None:
    make_override(HIDDEN_IN_SC, "GD", summary="广东版本。")

    sichuan, _ = follow(api, branch="SC", limit=2)
    shenzhen, _ = follow(api, branch="GD-SZ", limit=2)

    assert all("SC" in change["branches"] for change in sichuan)
    assert all("GD-SZ" in change["branches"] for change in shenzhen)
    assert (HIDDEN_IN_SC, "override_published") in {(c["key"], c["action"]) for c in sichuan}
    gd_override = [c for c in shenzhen if c["action"] == "override_published"]
    assert {c["key"] for c in gd_override} == {CLAIMS, HIDDEN_IN_SC}  # GD's reach SZ


def test_a_key_limited_to_a_branch_follows_that_branch_by_default(
    kb: dict, issue: Callable[..., str]
) -> None:
    changes, _ = follow(Api(issue(branches=["GD"])))

    assert changes
    assert all({"GD", "GD-SZ"} & set(change["branches"]) for change in changes)
    assert not any(change["branches"] == ["SC"] for change in changes)


def test_a_page_filtered_to_a_quiet_branch_still_moves_on(api: Api, kb: dict) -> None:
    for number in range(10, 40):
        make_override(CLAIMS if number % 2 else HIDDEN_IN_SC, "SC", note=f"第{number}次")
    head = ChangeEvent.objects.order_by("-seq").first().seq

    page = api.get("changes", {"branch": "GD-SZ", "since": head - 30, "limit": 1}).json()

    assert page["changes"] == []
    assert page["next"] == head - 10  # 20 events looked at for a page of 1, none for GD-SZ


def test_the_feed_needs_the_changes_scope(kb: dict, issue: Callable[..., str]) -> None:
    response = Api(issue(scopes=["read"])).get("changes")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "this key lacks the 'changes' scope"


def test_the_last_page_grows_as_events_arrive(api: Api) -> None:
    _, last = follow(api)
    make_article(key=CLAIMS, summary="第二版。", products=[], tags=["理赔材料", "医疗险"])

    first = api.get("changes", {"since": last, "limit": 5}).json()
    make_article(key=CLAIMS, summary="第三版。", products=[], tags=["理赔材料", "医疗险"])
    second = api.get("changes", {"since": last, "limit": 5}).json()

    assert len(first["changes"]) == 1  # not a full page: never kept as it was
    assert len(second["changes"]) == 2 and second["next"] > first["next"]


def test_a_full_page_reads_the_same_every_time(
    api: Api, django_assert_max_num_queries: object
) -> None:
    page = api.get("changes", {"since": 0, "limit": 3}).json()
    make_article(key=CLAIMS, summary="第二版。", products=[], tags=["理赔材料", "医疗险"])

    with django_assert_max_num_queries(3):  # the key and the throttle, not the page
        again = api.get("changes", {"since": 0, "limit": 3}).json()

    assert again == page


def test_a_public_key_never_hears_of_internal_articles(kb: dict, issue: Callable[..., str]) -> None:
    from content.models import Branch
    from content.services import branch_save
    from tests.api.conftest import COUNTER_ONLY

    branch_save(Branch(code="HB", name="湖北分公司", parent=kb["HQ"]), actor=OPERATOR)
    public, _ = follow(Api(issue()))
    internal, _ = follow(Api(issue(internal=True)))
    bot, _ = follow(Api(issue(channels=["bot"])))

    assert INTERNAL not in {change["key"] for change in public}
    assert INTERNAL in {change["key"] for change in internal}
    assert COUNTER_ONLY not in {change["key"] for change in bot}  # not for its channel
    assert CLAIMS in {change["key"] for change in bot}
    assert "" in {change["key"] for change in bot}  # branch-wide events stay
