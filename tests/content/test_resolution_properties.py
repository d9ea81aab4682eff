"""Properties of branch resolution (HQ's sections ⊕ override layers, top down).

The expected result is computed by a small independent model: HQ's sections as generated
(slug, content) pairs, each layer's operation applied to the plain content in chain order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.markdown import LEAD, parse_sections
from content.models import Branch
from content.records import Catalog, validate_record
from content.resolution import Layer, resolve, section_content
from content.selectors import BranchTree, effective_article
from content.services import override_upsert
from content.vocabulary import Visibility
from tests.factories import HQ_VARIABLES, OPERATOR, BranchFactory, make_article

HEADINGS = (
    "办理材料",
    "办理流程",
    "联系方式",
    "注意事项",
    "适用范围",
    "常见问题",
    "办理时限",
    "费用说明",
    "政策依据",
    "温馨提示",
)
REMOVED = "已停办业务"  # a slug no HQ body has: operations on it must be reported orphaned
# Plain text only: no Markdown syntax (#, {, }, <, [, ], `, -, *, _, |, ., ), \, &, >).
ALPHABET = (
    "理赔保险客户申请材料身份证件病历发票医院门诊住院审核结案热线柜面办理广东深圳四川"
    "ABCXYZabcxyz0123456789 ，。、：！？"
)
MODES = ("replace", "prepend", "append", "hide")
VISIBILITIES = tuple(Visibility.values)

lines = st.text(ALPHABET, min_size=1, max_size=16).map(str.strip).filter(bool)
paragraphs = st.lists(lines, min_size=1, max_size=3).map("\n".join)
contents = st.lists(paragraphs, max_size=3).map("\n\n".join)


@dataclass(frozen=True)
class Article:
    summary: str
    sections: tuple[tuple[str, str], ...]  # (slug, content) in order; the lead has no heading

    @property
    def body(self) -> str:
        parts = [
            content if slug == LEAD else f"## {slug}\n\n{content}".rstrip("\n")
            for slug, content in self.sections
        ]
        return "\n\n".join(parts) + "\n"

    @property
    def slugs(self) -> list[str]:
        return [slug for slug, _ in self.sections]


@st.composite
def articles(draw: st.DrawFn) -> Article:
    headings = draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=6, unique=True))
    lead = draw(contents)
    sections = [(LEAD, lead)] if lead else []
    sections += [(heading, draw(contents)) for heading in headings]
    return Article(draw(lines), tuple(sections))


@st.composite
def trees(draw: st.DrawFn, max_branches: int = 12) -> dict[str, str | None]:
    """Parent pointers of 2..max_branches branches; HQ is the root, parents come first."""
    size = draw(st.integers(min_value=2, max_value=max_branches))
    codes = ["HQ", *(f"B{i}" for i in range(1, size))]
    parents: dict[str, str | None] = {"HQ": None}
    for i in range(1, size):
        parents[codes[i]] = codes[draw(st.integers(min_value=0, max_value=i - 1))]
    return parents


def operations(slugs: Sequence[str]) -> st.SearchStrategy[dict[str, dict[str, str]]]:
    def operation(mode: str) -> st.SearchStrategy[dict[str, str]]:
        body = st.just("") if mode == "hide" else paragraphs
        return body.map(lambda text: {"mode": mode, "body": text})

    return st.dictionaries(
        st.sampled_from(list(slugs)),
        st.sampled_from(MODES).flatmap(operation),
        max_size=len(slugs),
    )


@st.composite
def layers_for(
    draw: st.DrawFn, branches: Sequence[str], slugs: Sequence[str], *, orphans: bool
) -> dict[str, Layer]:
    targets = [*slugs, REMOVED] if orphans else list(slugs)
    layers: dict[str, Layer] = {}
    for code in branches:
        if not draw(st.booleans()):
            continue
        layers[code] = Layer(
            branch=code,
            visibility=draw(st.sampled_from(VISIBILITIES)),
            summary=draw(st.just("") | lines),
            sections=draw(operations(targets)),
        )
    return layers


def chain(parents: Mapping[str, str | None], code: str) -> list[str]:
    codes: list[str] = []
    node: str | None = code
    while node is not None:
        codes.append(node)
        node = parents[node]
    return codes[::-1]


# --- the independent model -----------------------------------------------------------------


def _joined(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def expected_sections(article: Article, layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """HQ's (slug, content) after every layer's operations, in HQ's order; hidden dropped."""
    result = []
    for slug, hq_content in article.sections:
        content: str | None = hq_content
        for layer in layers:
            operation = layer.sections.get(slug)
            if operation is None or content is None:
                continue
            mode, body = operation["mode"], operation["body"].strip()
            if mode == "hide":
                content = None
            elif mode == "replace":
                content = body
            elif mode == "prepend":
                content = _joined(body, content)
            else:
                content = _joined(content, body)
        if content is not None:
            result.append((slug, content))
    return result


def expected_visible(layers: Sequence[Layer]) -> bool:
    for layer in reversed(layers):
        if layer.visibility in (Visibility.HIDDEN, Visibility.SHOWN):
            return layer.visibility == Visibility.SHOWN
    return True


def expected_summary(article: Article, layers: Sequence[Layer]) -> str:
    return next((layer.summary for layer in reversed(layers) if layer.summary), article.summary)


def expected_applied(article: Article, layers: Sequence[Layer]) -> tuple[str, ...]:
    """Branches whose layer changed something: visibility, summary, or a section still there."""
    hq, hidden, applied = set(article.slugs), set[str](), []
    for layer in layers:
        live = [slug for slug in layer.sections if slug in hq and slug not in hidden]
        if layer.visibility in (Visibility.HIDDEN, Visibility.SHOWN) or layer.summary or live:
            applied.append(layer.branch)
        hidden |= {slug for slug in live if layer.sections[slug]["mode"] == "hide"}
    return tuple(applied)


def sections_of(body: str) -> list[tuple[str, str]]:
    return [(section.slug, section_content(section)) for section in parse_sections(body)]


def touched(layers: Sequence[Layer]) -> set[str]:
    return {slug for layer in layers for slug in layer.sections}


# --- pure properties -----------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, str | None], Article, dict[str, Layer]]:
    parents = draw(trees())
    article = draw(articles())
    layers = draw(layers_for([c for c in parents if c != "HQ"], article.slugs, orphans=True))
    return parents, article, layers


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_every_branch_resolves_to_hqs_sections_with_its_chains_operations(
    scenario: tuple[dict[str, str | None], Article, dict[str, Layer]],
) -> None:
    parents, article, layers = scenario
    assert sections_of(article.body) == list(article.sections)  # the generator's premise

    for code in parents:
        on_chain = [layers[c] for c in chain(parents, code) if c in layers]
        resolved = resolve(article.summary, article.body, on_chain)

        assert resolve(article.summary, article.body, on_chain) == resolved
        assert resolved.visible is expected_visible(on_chain)
        assert resolved.summary == expected_summary(article, on_chain)
        actual = sections_of(resolved.body)
        assert actual == expected_sections(article, on_chain)
        # spelled out: untouched sections are HQ's text, in HQ's order; hidden ones are gone
        hq = dict(article.sections)
        untouched = [slug for slug in article.slugs if slug not in touched(on_chain)]
        assert [(s, c) for s, c in actual if s in untouched] == [(s, hq[s]) for s in untouched]
        assert [s for s, _ in actual] == [s for s in article.slugs if s in dict(actual)]
        for layer in on_chain:
            for slug, operation in layer.sections.items():
                if operation["mode"] == "hide" and slug in hq:
                    assert slug not in dict(actual)


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_operations_on_sections_hq_lacks_are_reported_per_branch_and_change_nothing(
    scenario: tuple[dict[str, str | None], Article, dict[str, Layer]],
) -> None:
    parents, article, layers = scenario

    for code in parents:
        on_chain = [layers[c] for c in chain(parents, code) if c in layers]
        resolved = resolve(article.summary, article.body, on_chain)
        without_orphans = [
            Layer(
                layer.branch,
                layer.visibility,
                layer.summary,
                {s: op for s, op in layer.sections.items() if s != REMOVED},
            )
            for layer in on_chain
        ]

        assert resolved.orphaned == {
            layer.branch: (REMOVED,) for layer in on_chain if REMOVED in layer.sections
        }
        assert resolve(article.summary, article.body, without_orphans).body == resolved.body
        assert resolved.applied == expected_applied(article, on_chain)
        assert REMOVED not in dict(sections_of(resolved.body))


# --- the same properties through the database ------------------------------------------------

KEY = "KB-400001"


@pytest.fixture
def hq_article(db: None) -> None:
    BranchFactory(code="HQ", name="总公司", parent=None, variables=HQ_VARIABLES)
    make_article(key=KEY, body="## 办理材料\n\n理赔申请书\n")


def _record(layer: Layer) -> dict[str, Any]:
    hidden = {Visibility.HIDDEN: True, Visibility.SHOWN: False}.get(layer.visibility)
    return {
        "type": "override",
        "article": KEY,
        "branch": layer.branch,
        "hidden": hidden,
        "summary": layer.summary,
        "sections": {slug: dict(operation) for slug, operation in layer.sections.items()},
    }


@st.composite
def db_scenarios(draw: st.DrawFn) -> tuple[dict[str, str | None], Article, dict[str, Layer]]:
    parents = draw(trees(max_branches=5))
    article = draw(articles())
    layers = draw(layers_for([c for c in parents if c != "HQ"], article.slugs, orphans=False))
    return parents, article, layers


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=db_scenarios())
def test_effective_articles_from_the_database_follow_the_model(
    hq_article: None, scenario: tuple[dict[str, str | None], Article, dict[str, Layer]]
) -> None:
    parents, article, layers = scenario
    with transaction.atomic():
        make_article(key=KEY, summary=article.summary, body=article.body)
        for code, parent in parents.items():
            if parent is not None:
                Branch.objects.create(
                    code=code, name=f"{code}分公司", parent=Branch.objects.get(code=parent)
                )
        catalog = Catalog.from_database()
        for layer in layers.values():
            record, problems = validate_record(1, _record(layer), catalog)
            assert not problems, problems
            override_upsert(record, actor=OPERATOR)
        tree = BranchTree.load()

        for code in parents:
            on_chain = [layers[c] for c in chain(parents, code) if c in layers]
            effective = effective_article(KEY, branch=code, tree=tree)

            if not expected_visible(on_chain):
                assert effective is None
                continue
            assert effective is not None
            assert sections_of(effective.body) == expected_sections(article, on_chain)
            assert effective.summary == expected_summary(article, on_chain)
            assert effective.overridden_by == expected_applied(article, on_chain)
        transaction.set_rollback(True)
