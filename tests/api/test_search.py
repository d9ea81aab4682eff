"""GET search / suggest / answer: what a reader in one branch finds, and how bad input fails."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from content import consumers
from content.models import KnowledgeArticle
from content.services import publishing
from content.services.snapshots import effective_dates_apply
from search import backends, indexing
from search.models import PromotedResult, SynonymGroup
from tests.api.conftest import (
    CLAIMS,
    COUNTER_ONLY,
    GD_HOTLINE,
    GD_MATERIALS,
    HIDDEN_IN_SC,
    INTERNAL,
    NOT_YET,
    SC_HOTLINE,
    Api,
)
from tests.factories import OPERATOR, make_article, make_override

pytestmark = pytest.mark.django_db


def ask(api: Api, path: str, params: dict) -> object:
    """`api.get` once the indexer has caught up (as the after-commit nudge has it do; a
    test's transaction never commits)."""
    consumers.drain(indexing.NAME)
    return api.get(path, params)


def keys(api: Api, q: str, **params: str) -> list[str]:
    response = ask(api, "search", {"q": q, **params})
    assert response.status_code == 200, response.json()
    return [result["key"] for result in response.json()["results"]]


def test_a_branch_reads_its_own_variant_with_its_own_values(api: Api) -> None:
    gd = ask(api, "search", {"q": "医保结算单", "branch": "GD"}).json()
    assert [r["key"] for r in gd["results"]] == [CLAIMS]
    assert "<mark>医保结算单</mark>" in gd["results"][0]["snippet"]
    # GD's replacement of the section is not SC's text: SC does not find it
    assert keys(api, "医保结算单", branch="SC") == []
    # a sub-branch inherits its parent's override
    assert keys(api, "医保结算单", branch="GD-SZ") == [CLAIMS]
    hotline = ask(api, "search", {"q": "致电", "branch": "SC"}).json()["results"][0]["snippet"]
    assert SC_HOTLINE in hotline and GD_HOTLINE not in hotline and "{{" not in hotline


def test_each_article_appears_once_per_branch(api: Api) -> None:
    for branch in ("HQ", "GD", "GD-SZ", "SC"):
        found = keys(api, "理赔 材料 申请", branch=branch, limit="50")
        assert len(found) == len(set(found))
        assert CLAIMS in found


def test_hidden_internal_off_channel_and_future_articles_are_not_found(api: Api, issue) -> None:
    assert HIDDEN_IN_SC in keys(api, "异地就医备案", branch="GD")
    assert HIDDEN_IN_SC not in keys(api, "异地就医备案", branch="SC")
    assert INTERNAL not in keys(api, "理赔调查授权")  # a public key
    assert INTERNAL in keys(Api(issue(internal=True)), "理赔调查授权")
    assert COUNTER_ONLY in keys(api, "保单借款")
    assert COUNTER_ONLY not in keys(api, "保单借款", channel="bot")
    assert COUNTER_ONLY not in keys(Api(issue(channels=["bot"])), "保单借款")
    assert NOT_YET not in keys(api, "2099年新规")


def test_traditional_full_width_and_homophone_slips_find_the_same(api: Api) -> None:
    simplified = keys(api, "理赔材料", branch="GD")
    assert simplified[0] == CLAIMS
    assert keys(api, "理賠材料", branch="GD")[0] == CLAIMS
    assert keys(api, "里赔材料", branch="GD")[0] == CLAIMS


def counted(categories: dict[str, int]) -> int:
    """The articles a category facet counts: those of its top-level categories."""
    return sum(count for category, count in categories.items() if "/" not in category)


def test_facets_count_every_match_and_filters_narrow(api: Api) -> None:
    make_article(key="KB-100010", title="理赔进度如何查询", category="理赔/进度", tags=["进度"])
    page = ask(api, "search", {"q": "理赔", "limit": "1"}).json()
    assert len(page["results"]) == 1 and page["count"] == 4  # every match counts, not a page
    categories = page["facets"]["category"]  # each with its sub-categories, as filtered
    assert categories == {"理赔": 3, "理赔/医疗": 2, "理赔/进度": 1, "保全": 1}
    assert page["facets"]["tag"] == {"理赔材料": 3, "医疗险": 1, "进度": 1}
    every = set(keys(api, "理赔"))
    under_claims = keys(api, "理赔", category="理赔")
    assert set(under_claims) == every - {COUNTER_ONLY} and len(under_claims) == categories["理赔"]
    assert keys(api, "理赔", category="理赔/进度") == ["KB-100010"]
    assert keys(api, "理赔", tag="进度") == ["KB-100010"]
    assert page["took_ms"] >= 0


def test_a_common_word_only_ranks_what_a_rarer_word_found(api: Api, settings) -> None:
    make_article(key="KB-100010", title="理赔进度如何查询", category="理赔/进度", tags=["进度"])
    settings.KMS_SEARCH_COMMON = {"share": 0.0, "documents": 2}  # held by 3 or more: common
    every = ask(api, "search", {"q": "理赔"}).json()  # only common words: each one selects
    assert every["count"] == 4
    page = ask(api, "search", {"q": "理赔 进度"}).json()
    assert [r["key"] for r in page["results"]] == ["KB-100010"] and page["count"] == 1
    assert page["facets"]["category"] == {"理赔": 1, "理赔/进度": 1}


def test_a_new_installation_knows_the_common_insurance_synonyms(api: Api) -> None:
    """The starter glossary (search migration 0002): 索赔 finds the article about 理赔."""
    assert CLAIMS in keys(api, "索赔")


def test_a_glossary_synonym_finds_the_article_at_once(api: Api) -> None:
    SynonymGroup.objects.all().delete()
    assert CLAIMS not in keys(api, "索赔")
    SynonymGroup.objects.create(terms="理赔/索赔/赔付")
    assert CLAIMS in keys(api, "索赔")


def test_a_stop_word_inside_a_glossary_term_is_never_marked(api: Api) -> None:
    SynonymGroup.objects.all().delete()
    SynonymGroup.objects.create(terms="索赔/理赔 的")
    page = ask(api, "search", {"q": "索赔"}).json()
    assert CLAIMS in [r["key"] for r in page["results"]]
    assert not any("<mark>的</mark>" in r["snippet"] for r in page["results"])


def test_the_word_typed_counts_more_than_its_synonyms(api: Api) -> None:
    """An article saying two synonyms of one query word is not worth more than one saying
    the word and the query's other word (理赔材料 after adding 理赔/索赔/赔付)."""
    make_article(key="KB-100051", title="理赔材料清单", summary="理赔需要的材料。", body="见清单。")
    make_article(
        key="KB-100052",
        title="理赔多久有结果",
        summary="索赔后一般五天赔付。",
        body="索赔进度可查；赔付到账后短信通知；索赔和赔付都有记录。",
    )
    SynonymGroup.objects.create(terms="理赔/索赔/赔付")
    found = keys(api, "理赔材料")
    assert found.index("KB-100051") < found.index("KB-100052")


def test_a_title_typed_word_for_word_finds_its_article_first(api: Api) -> None:
    make_article(key="KB-100061", title="保单贷款利率", summary="按合同约定。", body="详见合同。")
    for n in range(3):  # mention the words far more, but are not that question
        make_article(
            key=f"KB-10007{n}",
            title=f"保单贷款常见问题{n}",
            body="保单贷款利率、保单贷款期限、保单贷款利率调整、贷款利率计算。",
        )
    assert keys(api, "保单贷款利率？")[0] == "KB-100061"
    assert keys(api, "保单 贷款 利率")[0] == "KB-100061"
    found = ask(api, "answer", {"q": "保单贷款利率"}).json()
    assert found["answer"]["key"] == "KB-100061"
    page = ask(api, "search", {"q": "保单贷款利率", "limit": 2, "offset": 1}).json()
    assert "KB-100061" not in [r["key"] for r in page["results"]]  # paged once, first


def test_articles_asking_the_question_come_in_the_order_of_their_scores(api: Api) -> None:
    make_article(key="KB-100091", title="险种甲介绍", questions=["保单贷款利率"])
    make_article(
        key="KB-100092",
        title="保单贷款利率",
        summary="保单贷款利率按合同约定。",
        body="保单贷款利率。",
    )
    results = ask(api, "search", {"q": "保单贷款利率"}).json()["results"]
    assert [r["key"] for r in results[:2]] == ["KB-100092", "KB-100091"]
    assert results[0]["score"] >= results[1]["score"]
    assert ask(api, "answer", {"q": "保单贷款利率"}).json()["answer"]["key"] == "KB-100092"


def test_an_article_asking_the_question_in_other_words_is_not_pinned(api: Api) -> None:
    """Compacted, 2024 0001 is the title 2024-0001, but its words do not match the title's
    one token: it is not pinned with a score from another scale, nor counted apart."""
    make_article(key="KB-100093", title="2024-0001", summary="批次说明。")
    page = ask(api, "search", {"q": "2024 0001"}).json()
    assert "KB-100093" not in [r["key"] for r in page["results"]]
    assert page["count"] == counted(page["facets"]["category"])


def test_a_question_many_articles_ask_pins_none_of_them(api: Api) -> None:
    for n in range(5):
        make_article(key=f"KB-10008{n}", title=f"险种{n}介绍", questions=["可以帮家人办吗"])
    found = ask(api, "search", {"q": "可以帮家人办吗"}).json()
    assert found["count"] == 5  # ranked as usual, none pinned first
    assert ask(api, "answer", {"q": "可以帮家人办吗"}).json()["answer"] is None


def test_promoted_results_come_first_where_they_apply(api: Api, kb) -> None:
    article = KnowledgeArticle.objects.get(key=HIDDEN_IN_SC)
    PromotedResult.objects.create(query="理赔材料", article=article, branch=kb["GD"])
    gd = ask(api, "search", {"q": "理赔 材料？", "branch": "GD-SZ"}).json()["results"]
    assert gd[0]["key"] == HIDDEN_IN_SC and gd[0]["promoted"]
    assert [r["key"] for r in gd].count(HIDDEN_IN_SC) == 1
    assert keys(api, "理赔材料", branch="SC")[0] == CLAIMS  # not SC's best bet


def test_best_bets_page_and_count_like_any_result(api: Api) -> None:
    for n in range(6):
        make_article(key=f"KB-1001{n:02d}", title=f"退保问题{n}", category="保全")
    make_article(key="KB-100199", title="犹豫期", summary="退保", category="咨询")
    for key in ("KB-100199", "KB-100104"):
        PromotedResult.objects.create(query="退保", article=KnowledgeArticle.objects.get(key=key))
    everything = ask(api, "search", {"q": "退保", "limit": 50}).json()
    listed = [r["key"] for r in everything["results"]]
    assert listed[:2] == ["KB-100199", "KB-100104"] and len(set(listed)) == len(listed)
    scores = [r["score"] for r in everything["results"]]  # a best bet scores as the best hit
    assert scores == sorted(scores, reverse=True) and scores[0] == scores[2] > 0
    paged = []
    for offset in range(0, len(listed), 3):
        page = ask(api, "search", {"q": "退保", "limit": 3, "offset": offset}).json()
        assert page["count"] == everything["count"] == len(listed)
        paged += [r["key"] for r in page["results"]]
    assert paged == listed
    # a best bet outside the query's filters is neither shown nor counted
    narrowed = ask(api, "search", {"q": "退保", "category": "保全", "limit": 50}).json()
    assert "KB-100199" not in [r["key"] for r in narrowed["results"]]
    assert narrowed["count"] == len(narrowed["results"]) == len(listed) - 1
    assert ask(api, "search", {"q": "退保", "tag": "no-such-tag"}).json()["count"] == 0


def test_facets_count_best_bets_as_the_count_does(api: Api) -> None:
    """A best bet the query's words do not match is in the count, so in the facets too."""
    make_article(key="KB-100201", title="退保手续费", category="保全", tags=["退保"])
    make_article(key="KB-100202", title="医疗报销单据", category="理赔/医疗", tags=["单据"])
    pinned = KnowledgeArticle.objects.get(key="KB-100202")
    PromotedResult.objects.create(query="退保手续费", article=pinned)
    page = ask(api, "search", {"q": "退保手续费"}).json()
    assert page["results"][0]["key"] == "KB-100202"
    assert page["facets"]["category"].get("理赔/医疗") == 1
    assert page["facets"]["tag"].get("单据") == 1
    assert counted(page["facets"]["category"]) == page["count"]
    # outside the reader's filters, a best bet is in neither
    narrowed = ask(api, "search", {"q": "退保手续费", "category": "保全"}).json()
    assert "理赔/医疗" not in narrowed["facets"]["category"]
    assert counted(narrowed["facets"]["category"]) == narrowed["count"]


def test_unpublish_hide_and_expiry_remove_the_document(api: Api) -> None:
    make_article(key="KB-100011", title="退保手续费怎么算", effective_to="2026-12-31")
    make_article(key="KB-100012", title="退保需要多久到账")
    assert {"KB-100011", "KB-100012"} <= set(keys(api, "退保", branch="GD"))
    effective_dates_apply(on=dt.date(2027, 1, 2))
    assert "KB-100011" not in keys(api, "退保", branch="GD")
    make_override("KB-100012", "GD", hidden=True)
    assert "KB-100012" not in keys(api, "退保", branch="GD")
    assert "KB-100012" in keys(api, "退保", branch="SC")
    publishing.unpublish(KnowledgeArticle.objects.get(key="KB-100012"), actor=OPERATOR)
    assert "KB-100012" not in keys(api, "退保", branch="SC")


def test_a_deleted_index_is_a_503_until_it_is_rebuilt(api: Api, search_index_dir) -> None:
    assert keys(api, "理赔材料")[0] == CLAIMS
    shutil.rmtree(search_index_dir)
    response = ask(api, "search", {"q": "理赔"})
    assert response.status_code == 503
    assert "kms_reindex" in response.json()["error"]["message"]
    assert ask(api, "answer", {"q": "理赔"}).status_code == 503
    call_command("kms_reindex")
    assert keys(api, "理赔材料")[0] == CLAIMS


def test_an_index_damaged_while_served_is_a_503_until_rebuilt(api: Api, search_index_dir) -> None:
    assert keys(api, "理赔材料")[0] == CLAIMS  # the index is open in this process
    served = search_index_dir / (search_index_dir / "CURRENT").read_text().strip()
    (served / "meta.json").write_text("{garbage")
    response = ask(api, "search", {"q": "理赔"})
    assert response.status_code == 503
    assert "unreadable" in response.json()["error"]["message"]
    call_command("kms_reindex")
    assert keys(api, "理赔材料")[0] == CLAIMS


def test_an_index_built_by_another_version_is_a_503_until_rebuilt(
    api: Api, search_index_dir
) -> None:
    """Queries address tantivy's fields by number: an index with other fields would be
    misread, so it is refused until kms_reindex rebuilt it."""
    assert keys(api, "理赔材料")[0] == CLAIMS
    served = search_index_dir / (search_index_dir / "CURRENT").read_text().strip()
    (served / "kms-schema").write_text("0123456789abcdef")
    backends._engine.cache_clear()  # as a web process started after the upgrade
    response = ask(api, "search", {"q": "理赔"})
    assert response.status_code == 503
    assert "another version" in response.json()["error"]["message"]
    call_command("kms_reindex")
    assert keys(api, "理赔材料")[0] == CLAIMS


def test_a_code_is_found_whole_and_an_unknown_one_finds_nothing(api: Api) -> None:
    make_article(
        key="KB-100021", title="团险保单迁移", summary="迁移批次 MIG-2024-0815 的处理办法。"
    )
    assert keys(api, "MIG-2024-0815") == ["KB-100021"]
    # no article holds these: the bigrams of their digits ("20", "24"…) match no dates
    assert keys(api, "2025-0916") == []
    assert keys(api, "2024") == []


def test_suggest_completes_prefixes_and_pinyin_initials(api: Api) -> None:
    texts = [s["text"] for s in ask(api, "suggest", {"q": "申请医"}).json()["suggestions"]]
    assert texts == ["申请医疗险理赔需要准备哪些材料？"]
    by_initials = ask(api, "suggest", {"q": "sqyl"}).json()["suggestions"]  # 申请医疗…
    assert by_initials and by_initials[0]["key"] == CLAIMS
    assert ask(api, "suggest", {"q": "天气"}).json()["suggestions"] == []


def test_a_character_without_pinyin_is_searched_and_indexed(api: Api) -> None:
    assert ask(api, "search", {"q": "兙"}).status_code == 200
    assert ask(api, "answer", {"q": "理赔兙"}).status_code == 200
    make_article(key="KB-100041", title="兙字测试：如何查询保单？")
    assert keys(api, "兙字测试") == ["KB-100041"]  # the indexer did not stop at it


def test_suggestions_that_begin_with_the_prefix_come_first(api: Api) -> None:
    make_article(key="KB-100031", title="住院理赔")
    make_article(key="KB-100032", title="理赔款多久可以到账呢")
    texts = [s["text"] for s in ask(api, "suggest", {"q": "理赔"}).json()["suggestions"]]
    assert texts.index("理赔款多久可以到账呢") < texts.index("住院理赔")


def test_a_search_that_finds_nothing_still_names_every_facet(api: Api) -> None:
    page = ask(api, "search", {"q": "火星移民"}).json()
    assert page["count"] == 0
    assert page["facets"] == {"category": {}, "product": {}, "tag": {}}


def test_a_homophone_slip_finds_what_the_term_finds(api: Api) -> None:
    meant = ask(api, "search", {"q": "理赔材料", "branch": "GD"}).json()["results"]
    slipped = ask(api, "search", {"q": "里赔材料", "branch": "GD"}).json()["results"]
    assert [r["key"] for r in slipped] == [r["key"] for r in meant]
    assert slipped[0]["key"] == CLAIMS
    assert "<mark>理赔</mark>" in slipped[0]["snippet"]  # what was meant is what is marked
    assert ask(api, "answer", {"q": "医疗里赔要带什么资料"}).json()["answer"]["key"] == CLAIMS


def test_answer_is_the_best_article_or_null(api: Api, settings) -> None:
    found = ask(api, "answer", {"q": "医疗理赔要带什么资料", "branch": "GD"}).json()
    assert found["answer"]["key"] == CLAIMS
    assert GD_MATERIALS in found["answer"]["text"]
    assert settings.KMS_ANSWER_THRESHOLD <= found["confidence"] <= 1
    for question in ("今天天气怎么样", "红烧肉怎么做", "昨晚的足球比赛谁赢了"):
        outside = ask(api, "answer", {"q": question}).json()
        assert outside["answer"] is None and outside["alternatives"] == []
        assert outside["confidence"] < settings.KMS_ANSWER_THRESHOLD


def test_a_question_about_what_no_article_mentions_gets_no_answer(api: Api) -> None:
    """One article shares the question's phrasing (怎么回事) and nothing else with it: what
    the question is about (a cat that will not eat) is in no article."""
    make_article(
        key="KB-100031",
        title="续期保费扣款失败怎么办？",
        summary="扣款失败是怎么回事？多为银行卡余额不足或卡片状态异常。",
        body="多为银行卡余额不足、卡片挂失或换卡未更新。",
        questions=["扣款失败是怎么回事？"],
    )
    outside = ask(api, "answer", {"q": "猫咪不吃饭怎么回事"}).json()
    assert outside["answer"] is None and outside["confidence"] == 0.0
    asked = ask(api, "answer", {"q": "续期扣款失败是怎么回事"}).json()["answer"]
    assert asked["key"] == "KB-100031"


def test_a_question_in_the_glossarys_other_words_is_answered(api: Api) -> None:
    """解约 is in no article, but the starter glossary makes it a synonym of 退保: the
    knowledge base knows what the question is about."""
    make_article(
        key="KB-100041",
        title="退保怎么办理？",
        summary="犹豫期后退保可领取保单的现金价值。",
        body="犹豫期后退保，可领取保单的现金价值。",
        questions=[],
    )
    assert ask(api, "answer", {"q": "解约怎么办理"}).json()["answer"]["key"] == "KB-100041"


def test_no_answer_tells_a_key_which_words_articles_it_cannot_read_hold(
    kb: dict, issue: Callable[..., str]
) -> None:
    """授权 and 调查 are only in the internal article: to a key reading public articles
    they are words as unknown as 猫咪 and 散步, and whether it is answered, and with what,
    is alike."""
    public = Api(issue())
    answers = [
        ask(public, "answer", {"q": question}).json()
        for question in ("授权调查备案怎么办", "猫咪散步备案怎么办")
    ]
    assert answers[0]["answer"] == answers[1]["answer"]
    offered = [[option["key"] for option in found["alternatives"]] for found in answers]
    assert offered[0] == offered[1]


def test_an_answers_confidence_tells_a_key_nothing_of_text_it_cannot_read(
    kb: dict, issue: Callable[..., str]
) -> None:
    """A question is weighed by the articles the key may read: a word only an internal
    article or another branch's override holds weighs as one no article holds, so that a
    key cannot try words and read from the confidence which ones they hold."""
    make_article(key="KB-100099", title="内部：大象保单的理赔调查", audience="internal")
    make_override(CLAIMS, "GD", summary="广东地区可在大象服务中心办理。")
    public, sichuan = Api(issue()), Api(issue(branches=["SC"]))
    for api in (public, sichuan):
        held, unheld = (
            ask(api, "answer", {"q": f"医疗理赔要带什么资料{word}", "branch": "SC"}).json()
            for word in ("大象", "猫咪")  # 猫咪: in no article at all
        )
        assert held["confidence"] == unheld["confidence"]
        assert held["answer"] == unheld["answer"]


def test_a_question_several_articles_answer_alike_offers_them_all(api: Api, settings) -> None:
    death = "KB-100021"
    make_article(
        key=death,
        title="申请身故保险金需要准备哪些材料？",
        summary="受益人准备理赔申请书、死亡证明和身份证件。",
        questions=[],
        category="理赔/身故",
    )
    asked = ask(api, "answer", {"q": "申请要准备哪些材料"}).json()
    assert asked["answer"] is None  # medical claim or death benefit? the bot must ask
    assert {a["key"] for a in asked["alternatives"]} == {CLAIMS, death}
    assert all(a["confidence"] < settings.KMS_ANSWER_THRESHOLD for a in asked["alternatives"])

    clear = ask(api, "answer", {"q": "身故保险金要准备什么材料"}).json()
    assert clear["answer"]["key"] == death
    assert all(a["confidence"] <= clear["confidence"] for a in clear["alternatives"])


def test_a_best_bet_is_the_answer(api: Api, kb) -> None:
    article = KnowledgeArticle.objects.get(key=HIDDEN_IN_SC)
    PromotedResult.objects.create(query="今天天气怎么样", article=article, branch=kb["GD"])
    pinned = ask(api, "answer", {"q": "今天天气怎么样？", "branch": "GD-SZ"}).json()
    assert pinned["answer"]["key"] == HIDDEN_IN_SC and pinned["confidence"] == 1.0
    assert ask(api, "answer", {"q": "今天天气怎么样", "branch": "SC"}).json()["answer"] is None


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("search", {}, "q"),
        ("search", {"q": ""}, "q"),
        ("search", {"q": "x" * 201}, "q"),
        ("search", {"q": "理赔", "limit": "0"}, "limit"),
        ("search", {"q": "理赔", "limit": "51"}, "limit"),
        ("search", {"q": "理赔", "offset": "-1"}, "offset"),
        ("search", {"q": "理赔", "offset": "abc"}, "offset"),
        ("search", {"q": "理赔", "limit": "５"}, "limit"),  # full-width digit
        ("search", {"q": "理赔", "limit": "٥"}, "limit"),  # Arabic-Indic digit
        ("search", {"q": "理赔", "limit": "1_0"}, "limit"),
        ("search", {"q": "理赔", "limit": "+5"}, "limit"),
        ("search", {"q": "理赔", "channel": "fax"}, "channel"),
        ("search", {"q": "理赔", "branch": "XX"}, "branch"),
        ("search", {"q": "理赔", "sort": "date"}, "sort"),
        ("suggest", {"q": "x" * 51}, "q"),
        ("suggest", {"q": "lp", "limit": "21"}, "limit"),
        ("answer", {"q": "理赔", "category": "理赔"}, "category"),
        ("answer", {"q": " "}, "q"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(
    api: Api, path: str, params: dict, field: str
) -> None:
    response = ask(api, path, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_a_key_without_the_search_scope_is_refused(kb, issue) -> None:
    reader = Api(issue(scopes=["read"]))
    for path in ("search", "suggest", "answer"):
        assert ask(reader, path, {"q": "理赔"}).status_code == 403


def test_a_branch_key_cannot_search_another_branch(kb, issue) -> None:
    gd = Api(issue(branches=["GD"]))
    assert ask(gd, "search", {"q": "理赔", "branch": "SC"}).status_code == 403
    assert keys(gd, "医保结算单") == [CLAIMS]  # its own branch by default


def test_kms_search_shows_the_ranking(kb, capsys) -> None:
    consumers.drain(indexing.NAME)
    call_command("kms_search", "理赔材料", "--branch", "GD", "--explain")
    out = capsys.readouterr().out
    assert CLAIMS in out and '"terms"' in out
    assert '"question": "理赔材料"' in out and '"meaning": 0.0' in out  # words only in tests
    assert INTERNAL in out and "read as staff" in out  # staff see internal articles
    call_command("kms_search", "理赔调查授权", "--branch", "GD", "--public")
    out = capsys.readouterr().out
    assert INTERNAL not in out and "read as public" in out
    with pytest.raises(CommandError, match="no branch"):
        call_command("kms_search", "理赔", "--branch", "XX")
