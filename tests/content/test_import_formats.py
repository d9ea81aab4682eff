"""kms_import holds every field to its exact format: a code, key or name is the whole
string (no trailing newline), objects are objects, dates are YYYY-MM-DD; and an export is
the same bytes whatever order the database keeps a branch's variables in."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from content.models import Branch, KnowledgeArticle
from tests.factories import article_record
from tests.imports import TAXONOMY, failed_import, jsonl, run_import

pytestmark = pytest.mark.django_db

LINE = len(TAXONOMY) + 2  # the line under test comes right after a live article


def branch(**fields: object) -> dict[str, object]:
    return {"type": "branch", "code": "SC", "name": "四川", "parent": "HQ", **fields}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (branch(code="SC\n"), "code: upper-case letters, digits and - only, like GD-SZ"),
        (
            {"type": "product", "code": "KN-YL-2023\n", "name": "康宁", "line": "health"},
            "code: upper-case letters, digits and - only, like KN-YL",
        ),
        (article_record(key="KB-000051\n"), "key: letters, digits and . _ - only"),
        (branch(variables={"hotline\n": "96000"}), "variables: 'hotline\\n': names use a-z"),
        (article_record(category="理赔/医\n疗"), "category: not a category path like 理赔/医疗"),
        ({"type": "category", "path": "理\u2028赔/医疗"}, "path: not a category path"),
    ],
)
def test_a_trailing_or_inner_line_break_is_not_part_of_a_format(
    tmp_path: Path, line: object, expected: str
) -> None:
    output = failed_import(jsonl(tmp_path, *TAXONOMY, article_record(key="KB-000050"), line))

    assert f"records.jsonl:{LINE}: {expected}" in output
    assert not KnowledgeArticle.objects.exists()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (branch(variables=[]), "variables: must be an object of name: text"),
        (branch(variables=""), "variables: must be an object of name: text"),
        (
            {"type": "override", "article": "KB-000050", "branch": "GD", "sections": []},
            "sections: must be an object of section slug: {mode, body}",
        ),
        (
            {"type": "override", "article": "KB-000050", "branch": "GD", "sections": 0},
            "sections: must be an object of section slug: {mode, body}",
        ),
        (article_record(effective_from="20250101"), "effective_from: must be a date as YYYY-MM-DD"),
        (article_record(review_due="2025-W01-1"), "review_due: must be a date as YYYY-MM-DD"),
        (article_record(effective_to="2025-001"), "effective_to: must be a date as YYYY-MM-DD"),
        (article_record(review_due=20250101), "review_due: must be a date as YYYY-MM-DD"),
    ],
)
def test_a_field_of_the_wrong_shape_is_an_error_not_an_empty_value(
    tmp_path: Path, line: object, expected: str
) -> None:
    output = failed_import(jsonl(tmp_path, *TAXONOMY, article_record(key="KB-000050"), line))

    assert f"records.jsonl:{LINE}: {expected}" in output


def test_missing_or_null_objects_are_still_empty(tmp_path: Path) -> None:
    run_import(
        jsonl(
            tmp_path,
            *TAXONOMY,
            branch(variables=None),
            {"type": "branch", "code": "XZ", "name": "西藏", "parent": "HQ"},
            article_record(key="KB-000050", effective_from="2025-01-01"),
            {"type": "override", "article": "KB-000050", "branch": "GD", "hidden": True},
        )
    )

    assert Branch.objects.get(code="SC").variables == {}
    assert Branch.objects.get(code="XZ").variables == {}
    assert str(KnowledgeArticle.objects.get().effective_from) == "2025-01-01"


def _export(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    call_command("kms_export", str(path), stderr=io.StringIO())
    return path


def test_branch_variables_are_exported_by_name_whatever_order_the_database_keeps(
    tmp_path: Path,
) -> None:
    variables = {"service_hours": "9:00-17:00", "hotline": "96000", "address": "成都"}
    run_import(jsonl(tmp_path, *TAXONOMY, branch(variables=variables)))
    first = _export(tmp_path, "first.jsonl")
    # PostgreSQL's jsonb hands keys back shortest first; SQLite as they were written.
    Branch.objects.filter(code="SC").update(
        variables=dict(sorted(variables.items(), key=lambda item: (len(item[0]), item[0])))
    )
    Branch.objects.filter(code="HQ").update(
        variables=dict(reversed(Branch.objects.get(code="HQ").variables.items()))
    )

    second = _export(tmp_path, "second.jsonl")

    assert second.read_bytes() == first.read_bytes()
    records = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    for record in records:
        if record["type"] == "branch":
            assert list(record["variables"]) == sorted(record["variables"])


def test_a_branch_with_unsorted_variables_round_trips_byte_for_byte(tmp_path: Path) -> None:
    hq = TAXONOMY[1]
    Branch.objects.create(code="HQ", name=hq["name"], variables={"zeta": "1", "alpha": "2"})
    first = _export(tmp_path, "first.jsonl")
    Branch.objects.all().delete()

    run_import(first)

    assert _export(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()
    assert '"variables": {"alpha": "2", "zeta": "1"}' in first.read_text(encoding="utf-8")
