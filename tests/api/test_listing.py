"""GET articles: what a branch's reader can see, filtered, in pages that hold still."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import (
    CLAIMS,
    COUNTER_ONLY,
    HIDDEN_IN_SC,
    INTERNAL,
    NOT_YET,
    Api,
)
from tests.factories import ProductFactory, make_article, make_override


def keys(response: object) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["key"] for item in response.json()["results"]]


def test_a_branch_lists_what_its_readers_can_see(api: Api) -> None:
    hq = keys(api.get("articles"))
    sichuan = keys(api.get("articles", {"branch": "SC"}))

    assert hq == [CLAIMS, COUNTER_ONLY, HIDDEN_IN_SC]  # by key; no internal, none not in effect
    assert sichuan == [CLAIMS, COUNTER_ONLY]
    assert INTERNAL not in hq and NOT_YET not in hq


def test_items_carry_the_branch_summary_with_its_variables(api: Api) -> None:
    make_override(CLAIMS, "GD", summary="广东：请致电 {{ branch.hotline }}。")

    item = api.get("articles", {"branch": "GD"}).json()["results"][0]
    detail = api.get(f"articles/{CLAIMS}", {"branch": "GD"}).json()

    assert item["key"] == CLAIMS
    assert item["summary"] == "广东：请致电 020-12345678。" == detail["summary"]
    assert item["etag"] == detail["etag"]
    assert set(item) == {
        "key",
        "title",
        "summary",
        "category",
        "products",
        "tags",
        "updated_at",
        "etag",
    }


def test_channel_filters_and_a_channel_key_lists_its_channels_only(
    api: Api, issue: Callable[..., str]
) -> None:
    counter = keys(api.get("articles", {"channel": "counter"}))
    bot_key = keys(Api(issue(channels=["bot"])).get("articles"))

    assert counter == [COUNTER_ONLY]
    assert COUNTER_ONLY not in bot_key and CLAIMS in bot_key


def test_category_includes_its_sub_categories(api: Api) -> None:
    assert keys(api.get("articles", {"category": "理赔"})) == [CLAIMS, HIDDEN_IN_SC]
    assert keys(api.get("articles", {"category": "保全"})) == [COUNTER_ONLY]
    assert keys(api.get("articles", {"category": "理"})) == []  # whole segments only


def test_tag_and_product_filter_on_exact_values(api: Api) -> None:
    ProductFactory(code="KN-YL-2023")
    make_article(key="KB-100009", products=["KN-YL-2023"], tags=["医保"])

    assert keys(api.get("articles", {"tag": "医疗险"})) == [CLAIMS]
    assert keys(api.get("articles", {"tag": "医疗"})) == []
    assert keys(api.get("articles", {"product": "KN-YL-2023"})) == ["KB-100009"]


def test_updated_since_counts_the_branch_overrides_too(api: Api) -> None:
    later = api.get("articles").json()["results"][-1]["updated_at"]
    make_override(HIDDEN_IN_SC, "GD", summary="广东版本。")

    assert keys(api.get("articles", {"updated_since": later, "branch": "GD"})) == [HIDDEN_IN_SC]
    assert HIDDEN_IN_SC not in keys(api.get("articles", {"updated_since": later, "branch": "SC"}))


def test_pages_follow_the_cursor_and_hold_still_while_editors_publish(api: Api) -> None:
    for number in range(10, 30):
        make_article(key=f"KB-2000{number}", title=f"问题{number}")
    seen: list[str] = []
    cursor = None
    publishes = iter(range(40, 60))
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = api.get("articles", params).json()
        seen += [item["key"] for item in page["results"]]
        # Editors publish meanwhile: an edit of a listed article, a new one at each end.
        make_article(key="KB-200012", title=f"修订{len(seen)}")
        make_article(key=f"KB-0000{next(publishes)}", title="新文章")
        cursor = page["next"]
        if cursor is None:
            break

    existing = sorted([CLAIMS, COUNTER_ONLY, HIDDEN_IN_SC] + [f"KB-2000{n}" for n in range(10, 30)])
    assert [key for key in seen if key in existing] == existing  # none skipped, none twice
    assert len(seen) == len(set(seen))


def test_a_page_is_full_even_when_the_branch_hides_articles(api: Api) -> None:
    for number in range(10, 16):
        make_article(key=f"KB-1000{number}")
        make_override(f"KB-1000{number}", "SC", hidden=True)
    make_article(key="KB-100020")

    page = api.get("articles", {"branch": "SC", "limit": 2}).json()
    rest = api.get("articles", {"branch": "SC", "limit": 2, "cursor": page["next"]}).json()

    assert [item["key"] for item in page["results"]] == [CLAIMS, COUNTER_ONLY]
    assert [item["key"] for item in rest["results"]] == ["KB-100020"]  # past six hidden ones
    assert rest["next"] is None


def test_a_cursor_that_was_not_given_out_is_a_400(api: Api) -> None:
    response = api.get("articles", {"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"cursor": ["not a cursor this API gave out"]}
