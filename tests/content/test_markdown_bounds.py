"""content.markdown on hostile input: work that grows linearly, problems that stay few.

Pure Python: no Django, no database. Timings live in bench/markdown_render.py; here the
work is counted in executed lines, which does not depend on the machine.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import CodeType, FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.markdown import Problem, check, parse_sections, problems_of, validate
from content.markdown import checks as checks_module
from content.markdown.sections import unique_slugs


def messages(source: str, **kwargs: Any) -> list[str]:
    return [str(problem) for problem in validate(source, **kwargs)]


# --- one problem a kind, not one a line ---------------------------------------------------


def test_a_heading_repeated_thousands_of_times_is_one_problem() -> None:
    assert messages("## x\n" * 2_000) == [
        "duplicate section heading 'x' on lines 1, 2, 3 and 1,997 more"
    ]


def test_a_duplicate_heading_names_every_line_it_is_on() -> None:
    assert messages("## 材料\n甲\n## **材料**\n乙\n") == [
        "duplicate section heading '材料' on lines 1 and 3"
    ]
    assert messages("## 材料\n## 流程\n## 材料\n## 材料\n## 流程\n") == [
        "duplicate section heading '材料' on lines 1, 3 and 4",
        "duplicate section heading '流程' on lines 2 and 5",
    ]


def test_a_mistake_repeated_on_many_lines_is_one_problem() -> None:
    body = "{{ branch.fax }}\n\n" * 1_000 + "# 标题\n" * 3 + "{{ branch.email }}"

    assert messages(body, known_variables={"hotline"}) == [
        "unknown variable {{ branch.fax }} (known: hotline) on lines 1, 3, 5 and 997 more",
        "use ## for section headings; the article title is the level-1 heading "
        "on lines 2001, 2002 and 2003",
        "line 2004: unknown variable {{ branch.email }} (known: hotline)",
    ]


def test_the_same_mistake_twice_on_one_line_is_one_problem() -> None:
    hint = "(write {{ branch.name }} with a lower-case name)"

    assert messages("{{ hotline }} {{ hotline }}") == [
        f"line 1: malformed placeholder {{{{ hotline }}}} {hint}"
    ]


def test_many_different_mistakes_of_one_kind_are_counted_not_listed() -> None:
    body = "\n".join(f"{{{{ x{n} }}}} ![图](image:a{n})" for n in range(1_000))

    found = messages(body, known_variables=set())

    hint = "(write {{ branch.name }} with a lower-case name)"
    assert found == [
        *(
            problem
            for n in range(5)
            for problem in (
                f"line {n + 1}: malformed placeholder {{{{ x{n} }}}} {hint}",
                f"line {n + 1}: malformed image reference image:a{n} (expected image:<number>)",
            )
        ),
        "995 more malformed placeholders on lines 6, 7, 8 and 992 more",
        "995 more malformed image or document references on lines 6, 7, 8 and 992 more",
    ]


BLOCKS = ["## 材料", "# 标题", "{{ branch.fax }}", "{{ fax }}", "{{ branch.x", "##", "正文"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(BLOCKS), max_size=60), st.sets(st.sampled_from(["fax", "x"])))
def test_import_checks_and_editor_checks_agree(blocks: list[str], known: set[str]) -> None:
    body = "\n\n".join(blocks)

    assert problems_of(check(body), known) == validate(body, known_variables=known)


def test_problem_str_lists_a_few_lines() -> None:
    assert str(Problem(3, "坏了", lines=(3, 5))) == "坏了 on lines 3 and 5"
    assert str(Problem(3, "坏了", lines=(3, 5, 7), more=1_200)) == (
        "坏了 on lines 3, 5, 7 and 1,200 more"
    )


# --- bounded work -------------------------------------------------------------------------


def test_a_text_too_long_to_check_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(source: str) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(checks_module, "analyse", parse)
    limit = checks_module.MAX_CHECKED_LENGTH

    assert messages("长" * (limit + 1)) == [
        f"too long to check: {limit + 1:,} characters (at most {limit:,})"
    ]
    assert [str(p) for p in problems_of(check("长" * (limit + 1)), set())] == [
        f"too long to check: {limit + 1:,} characters (at most {limit:,})"
    ]


def lines_executed(code: CodeType, call: Callable[[], object]) -> int:
    """How many lines of `code` run during `call()`: work, counted without a clock."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        count += event == "line"
        return local

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        return local if frame.f_code is code else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def slug_work(naturals: Sequence[str]) -> int:
    return lines_executed(unique_slugs.__code__, lambda: unique_slugs(naturals))


@pytest.mark.parametrize(
    "heading", [lambda n: "x", lambda n: "", lambda n: "x" if n % 2 else "x-2"]
)
def test_slugs_for_repeated_headings_take_linear_work(heading: Callable[[int], str]) -> None:
    small = slug_work([heading(n) for n in range(1_000)])
    large = slug_work([heading(n) for n in range(4_000)])

    assert large < 5 * small  # quadratic work would be 16 times as much


def reference_slugs(naturals: Sequence[str]) -> list[str]:
    """The rule as first written: try base, base-2, base-3 … from the start every time."""
    reserved, used, slugs = set(naturals), set(), []
    for natural in naturals:
        base = slug = natural or "section"
        n = 2
        while slug in used or (slug != natural and slug in reserved):
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs.append(slug)
    return slugs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["x", "x-2", "x-3", "x-2-2", "", "section", "section-2"])))
def test_slugs_are_assigned_as_the_rule_says(naturals: list[str]) -> None:
    assert unique_slugs(naturals) == reference_slugs(naturals)


def test_sections_of_repeated_headings_stay_distinct() -> None:
    found = parse_sections("## x\n\n" * 3 + "## x-2\n")

    assert [s.slug for s in found] == ["x", "x-3", "x-4", "x-2"]
