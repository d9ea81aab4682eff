"""kms_import on hostile or broken input: every problem is a ``FILE:LINE: field: message``
line and exit status 1, never a traceback; limits apply before any expensive work."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from content import markdown
from content.models import KnowledgeArticle
from content.records import decoding, reading
from content.records import lines as line_reading
from tests.factories import article_record
from tests.imports import TAXONOMY, failed_import, jsonl, run_import

pytestmark = pytest.mark.django_db

LIVE = article_record(key="KB-200001")  # published; sections _lead, 办理材料, 办理流程, 联系方式
LINE = len(TAXONOMY) + 2  # the line under test comes right after LIVE


def override(**fields: object) -> dict[str, object]:
    return {"type": "override", "article": "KB-200001", "branch": "GD", **fields}


def branch(**variables: object) -> dict[str, object]:
    return {"type": "branch", "code": "SC", "name": "四川", "parent": "HQ", "variables": variables}


def nested(depth: int) -> object:
    value: object = "深"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # limits on free text, in the validators
        (article_record(questions=[f"问题{n}" for n in range(51)]), "questions: at most 50 items"),
        (article_record(questions=["长" * 201]), "questions: at most 200 characters an item"),
        (article_record(questions=["第一行\u2028第二行"]), "questions: an item is one line"),
        (article_record(tags=[f"标签{n}" for n in range(31)]), "tags: at most 30 items (got 31)"),
        (article_record(tags=["长" * 101]), "tags: at most 100 characters an item"),
        (
            article_record(products=[f"P-{n}" for n in range(51)]),
            "products: at most 50 items (got 51)",
        ),
        (article_record(category="理赔/" + "长" * 61), "category: at most 60 characters a level"),
        ({"type": "category", "path": "长" * 61}, "path: at most 60 characters a level"),
        (
            {"type": "product", "code": "kn yl", "name": "产品", "line": "life"},
            "code: upper-case letters, digits and - only, like KN-YL (got 'kn yl')",
        ),
        (branch(**{"a" * 41: "1"}), f"variables: '{'a' * 40}'…: names have at most 40"),
        (branch(hotline="9" * 501), "variables: 'hotline': at most 500 characters (got 501)"),
        (branch(**{f"v{n}": "1" for n in range(51)}), "variables: at most 50 variables (got 51)"),
        (branch(address="第一行\n第二行"), "variables: 'address': a value is one line"),
        (override(note="长" * 2001), "note: at most 2000 characters (got 2001)"),
        (
            override(sections={f"s{n}": {"mode": "hide"} for n in range(51)}),
            "sections: at most 50 section changes (got 51)",
        ),
        (
            override(sections={"办理材料": {"mode": "replace", "body": "长" * 10_001}}),
            "sections: 办理材料: body at most 10000 characters (got 10001)",
        ),
        (
            override(sections={"长" * 121: {"mode": "hide"}}),
            f"sections: '{'长' * 20}'…: section slugs have at most 120",
        ),
        (override(branch="G" * 33), "branch: at most 32 characters (got 33)"),
        # wrong types that used to crash or be accepted
        (
            override(sections={"办理材料": {"mode": "replace", "body": 5}}),
            "sections: 办理材料: body must be a string, not int",
        ),
        (
            override(sections={"办理材料": {"mode": ["replace"], "body": "x"}}),
            "sections: 办理材料: mode must be a string, not list",
        ),
        (override(hidden=1), "hidden: must be true, false or null (got 1)"),
        # text no database can hold alike
        (article_record(title="退保\x00须知"), "title: contains a NUL character"),
        (json.dumps(article_record(summary="甲\ud800乙")), "summary: contains a lone surrogate"),
        (article_record(questions=["问\x00"]), "questions: contains a NUL character"),
        (branch(**{"fax\x00": "1"}), "variables: contains a NUL character"),
        # JSON that is valid but no record
        ('{"type": "article", "title": ' + "9" * 5000 + "}", "title: a number with 5,000 digits"),
        (
            '{"type": "product", "code": "A", "code": "B", "name": "产品", "line": "life"}',
            "code: given more than once in the record",
        ),
        (
            '{"type": "branch", "code": "SC", "name": "四川", "parent": "HQ", '
            '"variables": {"hotline": "1", "hotline": "2"}}',
            "variables: key 'hotline' given more than once",
        ),
        (article_record(title=nested(10)), "title: nested more than 8 levels deep"),
        ('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 8 levels deep"),
    ],
)
def test_every_bad_input_is_a_line_numbered_field_named_error(
    tmp_path: Path, line: object, expected: str
) -> None:
    output = failed_import(jsonl(tmp_path, *TAXONOMY, LIVE, line))

    assert f"records.jsonl:{LINE}: {expected}" in output
    assert "nothing imported" in output
    assert not KnowledgeArticle.objects.exists()


def test_a_string_for_a_list_gets_one_clear_message(tmp_path: Path) -> None:
    output = failed_import(jsonl(tmp_path, *TAXONOMY, article_record(channels="agent")))

    assert 'channels: must be a list of strings like ["agent"], not a string' in output
    assert output.count("channels:") == 1


def test_unknown_products_are_one_message(tmp_path: Path) -> None:
    output = failed_import(jsonl(tmp_path, *TAXONOMY, article_record(products=["X-1", "X-2"])))

    assert f"records.jsonl:{LINE - 1}: products: unknown products X-1, X-2" in output
    assert output.count("products:") == 1


def test_a_flood_of_duplicate_headings_is_one_error_line(tmp_path: Path) -> None:
    body = "## 材料\n\n" * 2_000
    path = jsonl(tmp_path, *TAXONOMY, article_record(body=body))

    output = failed_import(path)

    problems = [line for line in output.splitlines() if "duplicate section heading" in line]
    assert problems == [
        f"{path}:{LINE - 1}: body: duplicate section heading '材料' on lines 1, 3, 5 and 1,997 more"
    ]


def test_a_file_of_broken_records_is_a_short_report(tmp_path: Path) -> None:
    broken = [article_record(key=f"KB-3{n:05d}", title="") for n in range(3_000)]
    unknown = [article_record(key=f"KB-4{n:05d}", products=[f"NO-{n}"]) for n in range(200)]
    path = jsonl(tmp_path, *TAXONOMY, *broken, *unknown)

    output = failed_import(path).splitlines()

    first = len(TAXONOMY) + 1
    assert output[0] == (
        f"{path}:{first}, {first + 1}, {first + 2} and 2,997 more lines: title: required"
    )
    assert len(output) <= 102  # 100 kinds, the count of the rest, and the summary
    assert output[-2] == f"{path}: … 101 more problems of 101 other kinds"
    assert "3200 invalid records; nothing imported" in output[-1]


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    output = failed_import(tmp_path)

    assert f"{tmp_path}: is a directory, not a file" in output


def test_invalid_utf8_is_reported_on_its_line(tmp_path: Path) -> None:
    path = jsonl(tmp_path, *TAXONOMY)
    path.write_bytes(path.read_bytes() + b'{"type": "category", "path": "\xff\xfe"}\n')

    output = failed_import(path)

    assert f"records.jsonl:{LINE - 1}: not UTF-8 text (invalid start byte at byte 31" in output


def test_invalid_utf8_on_standard_input_is_reported_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = jsonl(tmp_path, *TAXONOMY).read_bytes() + b'{"type": "category", "path": "\xe7\x90"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    output = failed_import("-")

    assert f"<stdin>:{LINE - 1}: not UTF-8 text" in output


def test_a_line_over_the_size_limit_is_refused_unread_and_the_rest_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(line_reading, "MAX_LINE_BYTES", 100_000)
    decoded: list[int] = []
    monkeypatch.setattr(
        reading, "decode", lambda line: decoded.append(len(line)) or decoding.decode(line)
    )
    huge = article_record(body="长" * 40_000)  # 120,000 bytes of UTF-8

    output = failed_import(jsonl(tmp_path, *TAXONOMY, huge, article_record(title="")))

    size = len(json.dumps(huge, ensure_ascii=False).encode())
    assert f"records.jsonl:{LINE - 1}: the line is {size:,} bytes long; at most 100,000" in output
    assert f"records.jsonl:{LINE}: title: required" in output
    assert max(decoded) < 100_000


def spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Record the length of every text `content.markdown.<name>` is called with."""
    lengths: list[int] = []
    real: Callable[..., object] = getattr(markdown, name)

    def called(text: str, *args: object, **kwargs: object) -> object:
        lengths.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(markdown, name, called)
    return lengths


def test_texts_over_their_limit_are_never_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = [spy(monkeypatch, name) for name in ("check", "validate", "parse_sections")]
    big_body = article_record(key="KB-300001", body="## x\n" * 20_000)  # 100,000 characters
    big_section = override(sections={"办理材料": {"mode": "append", "body": "## x\n" * 3_000}})

    output = failed_import(jsonl(tmp_path, *TAXONOMY, LIVE, big_section, big_body))

    assert f":{LINE}: sections: 办理材料: body at most 10000 characters (got 15000)" in output
    assert f":{LINE + 1}: body: at most 50000 characters (got 100000)" in output
    assert max(length for lengths in parsed for length in lengths) <= 10_000


def test_line_separators_survive_export_and_import(tmp_path: Path) -> None:
    summary = "犹豫期\u2028十五天\u2029以合同为准\x85。"
    body = "## 材料\n\n身份证\u2028保单\n"
    run_import(jsonl(tmp_path, *TAXONOMY, article_record(summary=summary, body=body)))
    exported = tmp_path / "export.jsonl"
    call_command("kms_export", str(exported), stderr=io.StringIO())

    text = exported.read_text(encoding="utf-8")
    assert not {"\u2028", "\u2029", "\x85"} & set(text)
    assert len(text.splitlines()) == text.count("\n")
    out, _ = run_import(exported)
    assert "1 article unchanged" in out
    assert KnowledgeArticle.objects.get().summary == summary


def test_exporting_to_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write") as raised:
        call_command("kms_export", str(tmp_path), stderr=io.StringIO())

    assert raised.value.returncode == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_validation_shows_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    run_import(jsonl(tmp_path, *TAXONOMY, article_record()))

    shown = terminal.getvalue()
    assert "checking Markdown [" in shown and "2/2" in shown
    assert "validating [" in shown and "5/5" in shown


def test_a_branch_path_longer_than_its_column_is_refused(tmp_path: Path) -> None:
    codes = [f"{chr(ord('A') + n)}{'X' * 30}" for n in range(8)]  # 31 characters each
    chain = [
        {"type": "branch", "code": code, "name": "分支", "parent": parent, "variables": {}}
        for parent, code in zip(["HQ", *codes], codes, strict=False)
    ]

    output = failed_import(jsonl(tmp_path, *TAXONOMY, *chain))

    assert f":{len(TAXONOMY) + 8}: parent: the path 'HQ/AXX" in output
    assert "would be 258 characters long; at most 255" in output
    assert output.count("parent:") == 1
