"""The editors' search in the Wagtail admin: Chinese words, ranked, drafts included."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from content import importing
from content.models import KnowledgeArticle
from content.services import knowledge_index
from tests.factories import OPERATOR, article_record, make_article
from tests.factories import article_form as admin_article_form

pytestmark = pytest.mark.django_db

FILLER = "客户可通过App自助办理，也可前往就近柜面办理，办理时请核对个人信息。\n\n" * 40


@pytest.fixture
def editor() -> Client:
    client = Client()
    user = User.objects.create_user("editor", "editor@example.com", "pw")
    user.groups.add(Group.objects.get(name="总部编辑"))
    client.force_login(user)
    return client


def listed(client: Client, query: str, **filters: str) -> list[str]:
    """The keys the article listing shows for `query`, in its order."""
    response = client.get(reverse("knowledge_articles:index"), {"q": query, **filters})
    assert response.status_code == 200
    return [page.specific.key for page in response.context["pages"]]


def article(
    key: str, *, title: str = "说明", body: str = "## 说明\n\n正文。", **fields: object
) -> KnowledgeArticle:
    """An article whose summary and similar questions mention nothing searched for here."""
    return make_article(
        key=key, title=title, body=body, summary="详见正文。", questions=[], tags=[], **fields
    )


def article_form(**overrides: object) -> dict[str, object]:
    """The admin's article form, with a summary and questions that mention nothing searched
    for here."""
    return admin_article_form(
        **{"summary": "可通过App或柜面变更。", "similar_questions": "改手机号", "tags": ""}
        | overrides
    )


def test_a_word_deep_in_a_long_body_finds_its_article(editor: Client) -> None:
    article(
        key="KB-700001",
        title="保单的借款服务说明",
        body=f"## 说明\n\n{FILLER}如需办理保单贷款，请携带身份证件。\n\n{FILLER}",
    )
    article(key="KB-700002", title="如何变更联系电话？", body=f"## 说明\n\n{FILLER}")

    assert listed(editor, "保单贷款") == ["KB-700001"]
    assert listed(editor, "KB-700002") == ["KB-700002"]  # keys are searchable too


def test_traditional_and_simplified_characters_find_each_other(editor: Client) -> None:
    article(key="KB-700011", title="申请理赔需要哪些材料？", body="## 材料\n\n理赔申请书。")
    article(key="KB-700012", title="退保後多久到帳？", body="## 時效\n\n退保申請受理後到帳。")
    article(key="KB-700013", title="如何变更联系电话？", body="## 说明\n\n柜面办理。")

    assert listed(editor, "理賠") == ["KB-700011"]
    assert listed(editor, "退保申请") == ["KB-700012"]


def test_a_pinyin_slip_finds_what_the_term_finds_and_the_slip_as_written(
    editor: Client,
) -> None:
    """As agents' search does (里赔 → 理赔), and a text holding the slip itself still
    turns up, so an editor can find a typo to put right."""
    article("KB-500011", title="理赔材料清单")
    article("KB-500012", title="说明", body="## 说明\n\n里赔请带身份证。")
    article("KB-500013", title="保全变更")
    assert set(listed(editor, "里赔")) == {"KB-500011", "KB-500012"}
    assert listed(editor, "理赔") == ["KB-500011"]


def test_a_title_match_ranks_above_a_mention_in_the_body(editor: Client) -> None:
    article(key="KB-700021", title="犹豫期内退保能退多少钱？", body=f"## 说明\n\n{FILLER}")
    article(
        key="KB-700022",
        title="保单借款的办理方式",
        body=f"## 说明\n\n{FILLER}注意：犹豫期内不可借款。\n\n{FILLER}",
    )
    article(key="KB-700023", title="如何变更联系电话？", body=f"## 说明\n\n{FILLER}")

    assert listed(editor, "犹豫期") == ["KB-700021", "KB-700022"]
    # an editor's own ordering wins over relevance
    assert listed(editor, "犹豫期", ordering="title") == ["KB-700022", "KB-700021"]


def test_a_word_is_found_where_the_segmenter_cut_the_text_differently(editor: Client) -> None:
    # 犹豫期内 is cut 犹豫/期内: the word 犹豫期 is not among its tokens, but the text holds it
    article(key="KB-700031", title="退费说明", body="## 说明\n\n犹豫期内退保可全额退费。")

    assert listed(editor, "犹豫期") == ["KB-700031"]


def test_a_draft_never_published_is_found(editor: Client) -> None:
    response = editor.post(
        reverse(
            "wagtailadmin_pages:add", args=("content", "knowledgearticle", knowledge_index().pk)
        ),
        article_form(title="康乐宝终身寿险如何减保？", body="## 办理方式\n\n减保需填写申请书。"),
    )
    assert response.status_code == 302, response.context["form"].errors
    article(key="KB-700041", title="如何减少保额？", body="## 说明\n\n部分减保。", status="draft")

    drafts = listed(editor, "减保")
    assert set(drafts) == {
        KnowledgeArticle.objects.get(title__startswith="康乐宝").key,
        "KB-700041",
    }
    assert not KnowledgeArticle.objects.filter(live=True).exists()


def test_an_edited_draft_is_found_by_its_new_words_and_by_the_live_ones(editor: Client) -> None:
    edited = article(key="KB-700051", title="如何变更联系电话？", body="## 说明\n\n柜面办理。")

    response = editor.post(
        reverse("wagtailadmin_pages:edit", args=(edited.pk,)),
        article_form(key=edited.key, body="## 说明\n\n也可在微信公众号自助变更。"),
    )

    assert response.status_code == 302, response.context["form"].errors
    edited.refresh_from_db()
    assert edited.live and edited.has_unpublished_changes
    assert listed(editor, "微信公众号") == ["KB-700051"]  # the draft's new words
    assert listed(editor, "柜面") == ["KB-700051"]  # what readers still see


def test_an_imported_draft_of_a_live_article_is_found(editor: Client) -> None:
    article(key="KB-700061", body="## 说明\n\n柜面办理。")
    article(key="KB-700061", body="## 说明\n\n可在电子渠道办理。", status="draft")

    assert listed(editor, "电子渠道") == ["KB-700061"]


def test_a_bulk_import_is_searchable_at_once_and_update_index_rebuilds_the_same(
    editor: Client,
) -> None:
    article(key="KB-700070")  # the head office, categories: the rest is new articles
    records = [
        article_record(key=f"KB-7001{n:02d}", title=f"第{n}号产品的犹豫期有多长？")
        for n in range(30)
    ]
    parsed = importing.parse([json.dumps(record, ensure_ascii=False) for record in records])
    assert parsed.problems == []
    importing.apply(parsed.records, actor=OPERATOR)
    before = listed(editor, "犹豫期")

    call_command("update_index", stdout=io.StringIO())

    assert len(before) == 30
    assert listed(editor, "犹豫期") == before


def test_wagtails_page_search_finds_chinese_words_in_the_body(editor: Client) -> None:
    article(key="KB-700081", title="保单借款说明", body="## 说明\n\n借款利率按年计算。")

    response = editor.get(reverse("wagtailadmin_pages:search"), {"q": "借款利率"})

    assert response.status_code == 200
    assert [page.specific.key for page in response.context["pages"]] == ["KB-700081"]


def test_search_and_filters_combine(editor: Client) -> None:
    article(key="KB-700091", title="犹豫期说明（坐席）", channels=["agent"])
    article(key="KB-700092", title="犹豫期说明（机器人）", channels=["bot"])

    assert listed(editor, "犹豫期", channels="agent") == ["KB-700091"]
    assert listed(editor, "？！") == []  # nothing searchable: nothing found


def test_a_search_in_named_fields_looks_at_their_words_only() -> None:
    article(key="KB-700101", title="犹豫期说明")
    article(key="KB-700102", body="## 说明\n\n本产品的犹豫期为十五天。")

    def keys(fields: list[str]) -> list[str]:
        return [a.key for a in KnowledgeArticle.objects.search("犹豫期", fields=fields)]

    assert keys(["title"]) == ["KB-700101"]
    assert keys(["body"]) == ["KB-700102"]
