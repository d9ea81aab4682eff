"""bench/corpus.py: a deterministic, self-consistent kms_import corpus the importer accepts."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.corpus import generate, main

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"articles": 300, "branches": 5, "override_rate": 0.1}
PLACEHOLDER_RE = re.compile(r"\{\{ branch\.(hotline|address|service_hours) \}\}")
BRANCH_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
VARIABLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return list(generate(**SMALL, seed=1))


def of_type(records: list[dict], kind: str) -> list[dict]:
    return [record for record in records if record["type"] == kind]


def headings(body: str) -> list[str]:
    return [line[3:].strip() for line in body.split("\n") if line.startswith("## ")]


def test_records_are_json_and_the_generator_is_deterministic(corpus: list[dict]) -> None:
    lines = [json.dumps(record, ensure_ascii=False) for record in corpus]
    assert [json.loads(line) for line in lines] == corpus
    assert list(generate(**SMALL, seed=1)) == corpus
    other = list(generate(**SMALL, seed=2))
    assert other != corpus
    assert [r["title"] for r in of_type(other, "article")] != [
        r["title"] for r in of_type(corpus, "article")
    ]


def test_record_types_come_in_import_order(corpus: list[dict]) -> None:
    order = ["category", "branch", "product", "article", "override"]
    kinds = [order.index(record["type"]) for record in corpus]
    assert kinds == sorted(kinds)
    counts = Counter(record["type"] for record in corpus)
    assert counts["article"] == 300
    assert counts["product"] >= 15
    assert counts["override"] == 30  # rate x articles


def test_everything_referenced_is_defined_on_an_earlier_line(corpus: list[dict]) -> None:
    categories: set[str] = set()
    branches: dict[str, str | None] = {}
    products: set[str] = set()
    articles: dict[str, dict] = {}
    keys: list[str] = []
    for record in corpus:
        kind = record["type"]
        if kind == "category":
            parent = record["path"].rpartition("/")[0]
            assert not parent or parent in categories
            categories.add(record["path"])
        elif kind == "branch":
            assert BRANCH_CODE_RE.match(record["code"])
            assert record["code"] not in branches
            assert record["parent"] is None or record["parent"] in branches
            assert all(VARIABLE_NAME_RE.match(name) for name in record["variables"])
            branches[record["code"]] = record["parent"]
        elif kind == "product":
            assert record["code"] not in products
            products.add(record["code"])
        elif kind == "article":
            assert record["category"] in categories
            assert set(record["products"]) <= products
            assert record["key"] not in articles
            articles[record["key"]] = record
            keys.append(record["key"])
        else:
            assert record["article"] in articles
            assert articles[record["article"]]["status"] == "published"
            assert record["branch"] in branches
            assert branches[record["branch"]] is not None  # never HQ
    assert keys == [f"KB-{n:06d}" for n in range(1, 301)]
    assert len(categories) >= 8 * 3


def test_branches_form_a_three_level_tree_and_hq_defines_every_variable(
    corpus: list[dict],
) -> None:
    branches = of_type(corpus, "branch")
    parent = {b["code"]: b["parent"] for b in branches}

    def depth(code: str) -> int:
        return 0 if parent[code] is None else 1 + depth(parent[code])

    assert [b["code"] for b in branches if b["parent"] is None] == ["HQ"]
    levels = Counter(depth(b["code"]) for b in branches)
    assert set(levels) == {0, 1, 2}
    assert levels[1] == 5
    assert 5 <= levels[2] <= 15
    hq = branches[0]["variables"]
    assert set(hq) >= {"hotline", "service_hours", "address"}
    for branch in branches:
        assert set(branch["variables"]) <= set(hq)
        if depth(branch["code"]) == 1:
            assert set(branch["variables"]) == {"hotline", "service_hours", "address"}
        if depth(branch["code"]) == 2:
            assert set(branch["variables"]) == {"address"}


def test_at_most_one_override_per_article_and_branch_on_sections_that_exist(
    corpus: list[dict],
) -> None:
    sections = {a["key"]: headings(a["body"]) for a in of_type(corpus, "article")}
    overrides = of_type(corpus, "override")
    pairs = [(o["article"], o["branch"]) for o in overrides]
    assert len(pairs) == len(set(pairs))
    for override in overrides:
        assert set(override["sections"]) <= set(sections[override["article"]])
        for operation in override["sections"].values():
            assert operation["mode"] in ("replace", "prepend", "append", "hide")
            assert "## " not in operation["body"]
            assert (operation["body"] == "") == (operation["mode"] == "hide")
    assert any(override["sections"] for override in overrides)


def test_article_fields_look_like_the_spec(corpus: list[dict]) -> None:
    articles = of_type(corpus, "article")
    for article in articles:
        assert article["title"].endswith("？")
        assert 0 < len(article["summary"]) <= 120
        assert 3 <= len(article["questions"]) <= 6
        assert len(set(article["questions"])) == len(article["questions"])
        assert 1 <= len(article["tags"]) <= 3
        assert 0 <= len(article["products"]) <= 2
        assert article["channels"]
        assert set(article["channels"]) <= {"agent", "counter", "bot", "app", "sms"}
        assert article["audience"] in ("public", "internal")
        assert article["status"] in ("published", "draft")
        assert article["effective_to"] is None or article["effective_to"] >= "2027"
    titles = [article["title"] for article in articles]
    assert len(set(titles)) == len(titles)
    internal = sum(article["audience"] == "internal" for article in articles)
    assert 0.03 < internal / len(articles) < 0.2
    published = sum(article["status"] == "published" for article in articles)
    assert published / len(articles) > 0.9


def test_bodies_are_markdown_the_importer_can_take(corpus: list[dict]) -> None:
    bodies = [article["body"] for article in of_type(corpus, "article")]
    hq_variables = set(of_type(corpus, "branch")[0]["variables"])
    for body in bodies:
        sections = headings(body)
        assert 3 <= len(sections) <= 6
        assert len(set(sections)) == len(sections)
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", heading) for heading in sections)
        assert body.startswith("## ")
        for line in body.split("\n"):
            assert not re.match(r"#(?!#)", line), line  # never a level-1 heading
            assert not re.match(r"\s*\d+\)", line), line
        assert not re.search(r"[<>\[\]]", body.replace("\n> ", "\n"))
        rest = PLACEHOLDER_RE.sub("", body)
        assert "{" not in rest and "}" not in rest
        assert {m.group(1) for m in PLACEHOLDER_RE.finditer(body)} <= hq_variables
    with_placeholders = sum(bool(PLACEHOLDER_RE.search(body)) for body in bodies)
    assert 0.1 < with_placeholders / len(bodies) < 0.3
    lengths = [len(body) for body in bodies]
    assert 600 <= statistics.median(lengths) <= 1000
    assert min(lengths) >= 200
    assert max(lengths) <= 3000


@pytest.mark.django_db
def test_the_projects_own_importer_accepts_the_whole_corpus(corpus: list[dict]) -> None:
    from content.importing import parse

    lines = [json.dumps(record, ensure_ascii=False) for record in corpus]
    parsed = parse(lines)

    assert [str(problem) for problem in parsed.problems] == []
    assert len(parsed.records) == len(corpus)


def test_the_cli_writes_the_same_lines_to_a_file_as_to_stdout(tmp_path: Path) -> None:
    args = ["--articles", "20", "--branches", "3", "--override-rate", "0.2", "--seed", "7"]
    script = [sys.executable, "bench/corpus.py", *args]
    stdout = subprocess.run(script, cwd=ROOT, capture_output=True, check=True).stdout
    out = tmp_path / "corpus.jsonl"
    subprocess.run([*script, "--out", str(out)], cwd=ROOT, capture_output=True, check=True)

    assert out.read_bytes() == stdout
    lines = stdout.decode("utf-8").splitlines()
    expected = list(generate(20, 3, 0.2, seed=7))
    assert [json.loads(line) for line in lines] == expected
    assert sum(record["type"] == "override" for record in expected) == 4


def test_main_writes_to_out(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert (
        main(["--articles", "5", "--branches", "1", "--override-rate", "0", "--out", str(out)]) == 0
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sum(record["type"] == "article" for record in records) == 5
    assert not any(record["type"] == "override" for record in records)
