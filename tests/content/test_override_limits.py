"""An override's texts cost what an article body costs at most: all of them together are
held to the body limit before anything is parsed, each is parsed once, and a big import
checks them in advance with the articles."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from content.markdown import analysis, checks, rendering, sections
from content.models import BODY_MAX_LENGTH, BranchOverride
from content.overrides import override_problems
from content.records import Catalog, reading
from content.records.lines import read_lines
from tests.factories import article_record, make_article
from tests.imports import TAXONOMY, failed_import, jsonl

pytestmark = pytest.mark.django_db

HEADINGS = ["一", "二", "三", "四", "五", "六"]
BODY = "导语。\n\n" + "".join(f"## {heading}\n\n第{heading}节。\n\n" for heading in HEADINGS)


def override(**fields: object) -> dict[str, object]:
    return {"type": "override", "article": "KB-600001", "branch": "GD", **fields}


def replace_all(text: str) -> dict[str, dict[str, str]]:
    return {heading: {"mode": "replace", "body": text} for heading in HEADINGS}


@pytest.fixture
def parsed_texts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each text goes through the one Markdown parse."""
    seen: Counter[str] = Counter()

    def analyse(source: str) -> analysis.Doc:
        seen[source] += 1
        return analysis.analyse(source)

    for module in (checks, sections, rendering):
        monkeypatch.setattr(module, "analyse", analyse)
    return seen


def test_an_override_longer_than_a_body_in_all_is_refused_unparsed(
    tmp_path: Path, parsed_texts: Counter[str]
) -> None:
    text = "![" * 4_500  # 9,000 characters a section, 54,000 in all
    output = failed_import(
        jsonl(
            tmp_path,
            *TAXONOMY,
            article_record(key="KB-600001", body=BODY),
            override(summary="本地简答。", sections=replace_all(text)),
        )
    )

    total = 6 * 9_000 + len("本地简答。")
    assert (
        f"records.jsonl:{len(TAXONOMY) + 2}: sections: at most {BODY_MAX_LENGTH} characters "
        f"of text in all, summary and section bodies together, as in an article body "
        f"(got {total})"
    ) in output
    assert parsed_texts[text] == 0


def test_an_override_within_the_limit_in_all_is_accepted(tmp_path: Path) -> None:
    text = "本地" * 4_000  # 8,000 characters a section, 48,000 in all
    path = jsonl(
        tmp_path,
        *TAXONOMY,
        article_record(key="KB-600001", body=BODY),
        override(summary="本" * 500, sections=replace_all(text)),
    )

    parsed = reading.parse(read_lines(str(path)))

    assert parsed.problems == []


def test_override_texts_are_checked_in_advance_and_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed_texts: Counter[str]
) -> None:
    in_advance: list[str] = []
    real_pmap = reading.pmap
    monkeypatch.setattr(
        reading, "pmap", lambda fn, texts: in_advance.extend(texts) or real_pmap(fn, texts)
    )
    changed = {"二": {"mode": "append", "body": "广东：请致电 {{ branch.hotline }}。"}}
    path = jsonl(
        tmp_path,
        *TAXONOMY,
        article_record(key="KB-600001", body=BODY),
        override(summary="广东的简答。", sections=changed),
    )

    parsed = reading.parse(read_lines(str(path)), Catalog.from_database())

    assert parsed.problems == []
    assert {"广东的简答。", changed["二"]["body"]} <= set(in_advance)
    assert parsed_texts["广东的简答。"] == 1
    assert parsed_texts[changed["二"]["body"]] == 1


def test_the_rules_parse_each_section_body_once(parsed_texts: Counter[str]) -> None:
    problems = override_problems(
        hq_slugs={"一", "二"},
        summary="简答。",
        operations=[("一", "replace", "甲 {{ branch.fax }}"), ("二", "append", "## 标题\n\n乙")],
        known_variables={"hotline"},
    )

    assert problems == [
        ("sections", "一: line 1: unknown variable {{ branch.fax }} (known: hotline)"),
        ("sections", "二: the text may not contain ## headings"),
    ]
    assert parsed_texts == Counter({"简答。": 1, "甲 {{ branch.fax }}": 1, "## 标题\n\n乙": 1})


def test_the_admin_form_refuses_an_override_longer_than_a_body_in_all(
    tree: dict, parsed_texts: Counter[str]
) -> None:
    article = make_article(key="KB-600001", body=BODY)
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    text = "![" * 4_500
    data = {
        "article": article.pk,
        "branch": tree["GD"].pk,
        "visibility": "inherit",
        "summary": "",
        "note": "",
        "sections-TOTAL_FORMS": str(len(HEADINGS)),
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for n, heading in enumerate(HEADINGS):
        data |= {
            f"sections-{n}-slug": heading,
            f"sections-{n}-mode": "replace",
            f"sections-{n}-body": text,
            f"sections-{n}-ORDER": str(n + 1),
            f"sections-{n}-id": "",
        }

    response = client.post(reverse("wagtailsnippets_content_branchoverride:add"), data)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [
        f"at most {BODY_MAX_LENGTH} characters of text in all, summary and section bodies "
        "together, as in an article body (got 54000)"
    ]
    assert not BranchOverride.objects.exists()
    assert parsed_texts[text] == 0
