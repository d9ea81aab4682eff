"""kms_import / kms_export: validation of every error class, atomicity, idempotence, round trip."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageLogEntry, Revision

from content.models import Branch, Category, KnowledgeArticle, Product
from tests.factories import article_record
from tests.imports import TAXONOMY, failed_import, jsonl, run_import

pytestmark = pytest.mark.django_db


def test_a_valid_file_is_live_when_the_command_returns(tmp_path: Path) -> None:
    out, _ = run_import(jsonl(tmp_path, *TAXONOMY, article_record(products=["KN-YL"])))

    article = KnowledgeArticle.objects.get(key="KB-100001")
    assert article.live
    assert article.category.path == "理赔/医疗"  # created, with its parent, on the fly
    assert Category.objects.get(path="理赔/医疗").parent.path == "理赔"
    assert [p.code for p in article.products.all()] == ["KN-YL"]
    assert article.questions == ["医疗理赔要带什么资料", "住院报销需要什么材料"]
    assert Branch.objects.get(code="GD").parent.code == "HQ"
    assert "Imported 5 records" in out


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "a record must be a JSON object"),
        ({"type": "faq"}, "type: unknown record type 'faq'"),
        (article_record(title=""), "title: required"),
        (article_record(title=7), "title: must be a string, not int"),
        (article_record(summary="很长" * 300), "summary: at most 500 characters"),
        (article_record(colour="red"), "colour: unknown field"),
        (article_record(body="长" * 50_001), "body: at most 50000 characters (got 50001)"),
        (article_record(key="KB 1"), "key: letters, digits and . _ - only"),
        (article_record(category="理赔//医疗"), "category: not a category path"),
        (article_record(products=["NO-SUCH"]), "products: unknown product NO-SUCH"),
        (article_record(channels=["fax"]), "channels: unknown channel fax"),
        (article_record(channels=[]), "channels: at least one channel"),
        (article_record(audience="vip"), "audience: must be one of public, internal"),
        (article_record(status="live"), "status: must be one of published, draft"),
        (article_record(review_due="2027/06/30"), "review_due: must be a date as YYYY-MM-DD"),
        (
            article_record(effective_from="2026-01-01", effective_to="2025-01-01"),
            "effective_to: must not be before effective_from",
        ),
        (article_record(questions="不是列表"), "questions: must be a list of strings"),
        (
            article_record(body="## 材料\n\n请致电 {{ branch.fax }}"),
            "body: line 3: unknown variable {{ branch.fax }}",
        ),
        (
            article_record(body="## 材料\n\n甲\n\n## 材料\n\n乙"),
            "body: duplicate section heading '材料' on lines 1 and 5",
        ),
        (article_record(body="# 标题\n\n正文"), "body: line 1: use ## for section headings"),
        ({"type": "branch", "code": "gd", "name": "x", "parent": "HQ"}, "code: upper-case"),
        (
            {"type": "branch", "code": "SC", "name": "四川", "parent": "XX"},
            "parent: unknown branch",
        ),
        ({"type": "branch", "code": "SC", "name": "四川", "parent": None}, "parent: required"),
        (
            {
                "type": "branch",
                "code": "SC",
                "name": "四川",
                "parent": "HQ",
                "variables": {"X": "1"},
            },
            "variables: 'X': names use a-z",
        ),
        ({"type": "product", "code": "P", "name": "产品", "line": "car"}, "line: must be one of"),
        ({"type": "category", "path": "/理赔"}, "path: not a category path"),
    ],
)
def test_every_invalid_record_is_reported_with_its_line_and_nothing_is_imported(
    tmp_path: Path, line: object, expected: str
) -> None:
    good = article_record(key="KB-200001")
    output = failed_import(jsonl(tmp_path, *TAXONOMY, good, line))

    assert f"records.jsonl:{len(TAXONOMY) + 2}: {expected}" in output
    assert "nothing imported" in output
    assert not KnowledgeArticle.objects.exists()
    assert not Branch.objects.exists()
    assert not Product.objects.exists()


def test_all_problems_of_a_file_are_listed_at_once(tmp_path: Path) -> None:
    output = failed_import(
        jsonl(tmp_path, *TAXONOMY, article_record(title=""), "{", article_record(audience="x"))
    )

    assert ":5: title: required" in output
    assert ":6: not valid JSON" in output
    assert ":7: audience: must be one of" in output
    assert "3 invalid records; nothing imported" in output
    assert "Use --skip-invalid to import the 4 valid records" in output


def test_skip_invalid_imports_the_valid_records_and_what_does_not_depend_on_bad_ones(
    tmp_path: Path,
) -> None:
    bad_product = {"type": "product", "code": "BAD", "name": "坏产品", "line": "car"}
    _, err = run_import(
        jsonl(
            tmp_path,
            *TAXONOMY,
            bad_product,
            article_record(key="KB-1", products=["BAD"]),  # depends on the invalid line
            article_record(key="KB-2"),
        ),
        "--skip-invalid",
    )

    assert list(KnowledgeArticle.objects.values_list("key", flat=True)) == ["KB-2"]
    assert ":5: line: must be one of" in err
    assert ":6: products: unknown product BAD" in err
    assert "Skipped 2 invalid records" in err


def test_records_may_refer_to_records_on_earlier_lines_only(tmp_path: Path) -> None:
    late_branch = {"type": "branch", "code": "SZ", "name": "深圳", "parent": "GD-X"}
    parent = {"type": "branch", "code": "GD-X", "name": "广东X", "parent": "HQ"}

    output = failed_import(jsonl(tmp_path, *TAXONOMY, late_branch, parent))

    assert ":5: parent: unknown branch GD-X" in output


def test_an_unchanged_record_makes_nothing_and_a_changed_one_a_new_revision(
    tmp_path: Path,
) -> None:
    path = jsonl(tmp_path, *TAXONOMY, article_record())
    run_import(path)
    article = KnowledgeArticle.objects.get()
    revisions, log_entries = Revision.objects.count(), PageLogEntry.objects.count()

    out, _ = run_import(path)

    assert Revision.objects.count() == revisions
    assert PageLogEntry.objects.count() == log_entries
    assert "1 article unchanged" in out

    run_import(jsonl(tmp_path, *TAXONOMY, article_record(summary="新的简答。")))

    article.refresh_from_db()
    assert article.summary == "新的简答。"
    assert article.revisions.count() == 2
    assert article.live_revision == article.latest_revision


def test_a_draft_record_leaves_the_live_version_alone(tmp_path: Path) -> None:
    run_import(jsonl(tmp_path, *TAXONOMY, article_record()))
    run_import(jsonl(tmp_path, *TAXONOMY, article_record(summary="草稿简答。", status="draft")))

    article = KnowledgeArticle.objects.get()
    assert article.live
    assert article.summary != "草稿简答。"
    assert article.has_unpublished_changes
    assert article.get_latest_revision_as_object().summary == "草稿简答。"


def test_an_article_without_key_gets_the_next_kb_key(tmp_path: Path) -> None:
    run_import(jsonl(tmp_path, *TAXONOMY, article_record(key=None)))

    assert KnowledgeArticle.objects.get().key.startswith("KB-")


def test_import_reads_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = jsonl(tmp_path, *TAXONOMY, article_record()).read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(content))

    run_import("-")

    assert KnowledgeArticle.objects.filter(key="KB-100001", live=True).exists()


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no-such\.jsonl: no such file"):
        run_import(tmp_path / "no-such.jsonl")


def test_export_then_import_into_an_empty_knowledge_base_is_lossless(
    tmp_path: Path, django_db_blocker: object
) -> None:
    run_import(
        jsonl(
            tmp_path,
            *TAXONOMY,
            article_record(products=["KN-YL"], tags=["乙", "甲"]),
            article_record(key="KB-100002", status="draft", effective_to="2030-01-01"),
            article_record(key="KB-100003", audience="internal", channels=["agent"]),
            article_record(key="KB-100003", title="更新后的标准问题？", status="draft"),
        )
    )
    first = io.StringIO()
    call_command("kms_export", "-", stdout=first)
    exported = tmp_path / "export.jsonl"
    call_command("kms_export", str(exported), stderr=io.StringIO())

    for model in (KnowledgeArticle,):
        for page in model.objects.all():
            page.delete()
    Branch.objects.filter(parent__isnull=False).delete()
    Branch.objects.all().delete()
    Product.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()

    run_import(exported)
    second = tmp_path / "again.jsonl"
    call_command("kms_export", str(second), stderr=io.StringIO())

    assert second.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    kb3 = [line for line in lines if line.get("key") == "KB-100003"]
    assert [line["status"] for line in kb3] == ["published", "draft"]
    assert first.getvalue().splitlines()[0].startswith('{"type": "category"')
