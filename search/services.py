"""Search, suggestions and the one best answer, as a reader in one branch sees them.

Invariants:
* every result is the variant of the reader's own branch (the engine filters by branch,
  audience and channel; :mod:`search.queries`), shown with the reader's branch variables;
* best bets (:class:`search.models.PromotedResult`) for the query and the reader's branch
  or one above it come first, each only when the reader may read it, and are never
  repeated further down;
* :func:`answer` gives an article only when it is a best bet for the question or its
  confidence (:mod:`search.confidence`) reaches ``settings.KMS_ANSWER_THRESHOLD``; the
  alternatives are hits within ``CLOSE`` of the best, each one that would be answered
  on its own, so a bot asks "did you mean…" only between real candidates; an article
  holding no word of the question is never the answer;
* when ranking by meaning, the first ``KMS_SEARCH_SEMANTIC["candidates"]`` hits are
  reordered by their blended score and every hit on a page carries that scale, so a page
  reads in descending score and pages never repeat or skip an article.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q

from content.markdown.analysis import filled
from content.models import BranchTree
from content.selectors import branch_tree
from search import analysis, glossary, queries, vectors
from search.backends import engine
from search.backends.base import FACET_SHOWN, Found, Hit
from search.confidence import features, probability, text_coverage, unrivalled
from search.models import PromotedResult, promoted_query
from search.queries import Filters, Plan
from search.records import TEXT_FIELD, category_paths
from search.snippets import snippet

if TYPE_CHECKING:
    from concurrent.futures import Future

    import numpy as np

ALTERNATIVES_MAX = 3
# An agent typing an article's title or similar question word for word gets that article
# first — when at most this many articles ask it (beyond that it is a generic question).
ASKED_MAX = 3
CLOSE = 0.15  # hits scoring within this share of the best are offered as alternatives
# A question with at least this informative share of its words in no article gets no
# answer: of InsuranceQA-zh's development questions 0.8 % reach it, of the questions from
# outside insurance 40 % (bench/data/offtopic.jsonl; docs/benchmarks.md).
UNHEARD_MAX = 0.5
SUGGEST_SCAN = 40
# A facet is named like the filter that narrows to one of its values (product=, tag=).
FACET_NAMES = {"category": "category", "products": "product", "tags": "tag"}


@dataclass(frozen=True)
class Result:
    key: str
    title: str
    summary: str
    snippet: str
    category: str
    score: float
    promoted: bool = False


@dataclass(frozen=True)
class Page:
    count: int
    results: list[Result]
    facets: dict[str, dict[str, int]]
    took_ms: float


@dataclass(frozen=True)
class Suggestion:
    key: str
    text: str


@dataclass(frozen=True)
class Candidate:
    key: str
    title: str
    summary: str
    text: str
    confidence: float


@dataclass(frozen=True)
class Answer:
    answer: Candidate | None
    confidence: float
    alternatives: list[Candidate] = field(default_factory=list)


def plan_of(text: str, filters: Filters) -> Plan:
    """The engines' plan of `text`, knowing how common its tokens are (common ones only add
    to the score) and with synonyms scored as rarely as the word typed."""
    plan = queries.plan(text, filters, synonyms=glossary.current().synonyms)
    if plan.empty:
        return plan
    words = {tokens[0] for term in plan.terms for tokens in term.alternatives}
    wanted = {TEXT_FIELD: words, **{field: set(tokens) for field, tokens in plan.loose.items()}}
    plan = queries.with_frequencies(plan, engine().frequencies(wanted))
    if not any(len(term.alternatives) > 1 for term in plan.terms):
        return plan
    total = max(plan.frequencies.total, 1)
    rarity = {  # BM25's inverse document frequency, as the engines score with
        token: math.log(1 + (total - found + 0.5) / (found + 0.5))
        for token, found in plan.frequencies.found[TEXT_FIELD].items()
    }
    return dataclasses.replace(plan, terms=tuple(_shared(term, rarity) for term in plan.terms))


def _shared(term: queries.Term, rarity: dict[str, float]) -> queries.Term:
    """`term` with each synonym's share scaled so that it scores at most as a word as
    rare as the one typed would (BM25 grows with rarity: a rare synonym such as 索赔 must
    not outrank the common 理赔 that was asked for). Lucene's synonym query blends
    frequencies to the same end."""
    typed = rarity[term.alternatives[0][0]]
    shares = [1.0] + [
        queries.SYNONYM_WEIGHT * min(1.0, typed / max(rarity[tokens[0]], 1e-9))
        for tokens in term.alternatives[1:]
    ]
    return dataclasses.replace(term, shares=tuple(shares))


def _words(plan: Plan) -> list[str]:
    return [token for term in plan.terms for tokens in term.alternatives for token in tokens]


def _shown(
    hit: Hit, variables: dict[str, str], words: list[str], *, promoted: bool = False
) -> Result:
    text = filled(hit.shown.get("text", ""), variables)
    summary = filled(hit.shown.get("summary", ""), variables)
    return Result(
        key=hit.key,
        title=hit.shown.get("title", ""),
        summary=summary,
        snippet=snippet(text or summary, words),
        category=hit.category,
        score=round(hit.score, 4),
        promoted=promoted,
    )


def _pinned(text: str, filters: Filters, tree: BranchTree) -> list[Hit]:
    """The best bets for `text` set for the reader's branch or one above it, in the
    knowledge team's order, as the index holds them for the reader: the engine filters
    them (branch variant, audience, channel, category, product, tag) as it filters hits."""
    wanted = promoted_query(text)
    if not wanted or wanted not in glossary.current().pinned:
        return []
    rows = PromotedResult.objects.filter(normalised=wanted).filter(
        Q(branch__isnull=True) | Q(branch__code__in=tree.chain(filters.branch))
    )
    keys = tuple(dict.fromkeys(rows.values_list("article__key", flat=True)))
    if not keys:
        return []
    readable = engine().fetch(dataclasses.replace(filters, keys=keys), limit=len(keys))
    found = {hit.key: hit for hit in readable}
    return [found[key] for key in keys if key in found]


def search(
    text: str, filters: Filters, *, limit: int = 10, offset: int = 0, tree: BranchTree | None = None
) -> Page:
    """One page of results for `text` in the reader's branch: the best bets, then the
    articles asking it word for word, then the engine's hits without them (the first ones
    reordered by meaning: :func:`ranked`), paged as one list (``count`` counts each article
    once)."""
    started = time.perf_counter()
    tree = tree or branch_tree()
    plan = plan_of(text, filters)
    promoted = _pinned(text, filters, tree)
    asked = [] if plan.empty else _asked(text, plan, exclude={r.key for r in promoted})
    pinned = tuple(result.key for result in promoted) + tuple(hit.key for hit in asked)
    # read from the top when the pinned hits are dropped from the engine's or its first
    # hits reordered before the page is cut; the facets count the best bets too, as the
    # count does
    from_top = bool(pinned) or vectors.enabled()
    if plan.empty:
        found, also_hits = Found(0, [], {}), 0
    elif from_top:
        also = tuple(result.key for result in promoted)
        found = ranked(plan, limit=offset + limit + len(pinned), also=also)
        # the asked articles are hits of the plan; best bets may not be
        also_hits = len(asked) + (_scored(plan, promoted)[1] if promoted else 0)
    else:
        found, also_hits = engine().search(plan, limit=limit, offset=offset), 0
    hits = [hit for hit in found.hits if hit.key not in pinned]
    pinned_hits = _leading([*promoted, *_rescored(asked, found.hits)], hits)
    page = [*pinned_hits, *hits][offset : offset + limit] if from_top else hits
    variables = tree.variables_of(filters.branch)
    words = _words(plan)
    best_bets = {hit.key for hit in promoted}
    results = [_shown(hit, variables, words, promoted=hit.key in best_bets) for hit in page]
    count = found.count + len(pinned) - also_hits
    took = (time.perf_counter() - started) * 1000
    facets = {name: {} for name in FACET_NAMES.values()}
    facets.update({FACET_NAMES[name]: counts for name, counts in found.facets.items()})
    facets["category"] = _with_sub_categories(facets["category"])
    return Page(count, results, facets, round(took, 2))


def ranked(plan: Plan, *, limit: int, facets: bool = True, also: tuple[str, ...] = ()) -> Found:
    """The plan's hits from the top — its first `limit`, or when ranking by meaning its
    first ``settings.KMS_SEARCH_SEMANTIC["candidates"]`` if more — these in the order of
    their words' score blended with their closeness in meaning to the question
    (:func:`search.vectors.reranked`), each scored with the blend. By words alone when
    fewer than two of them have a vector, or the model cannot run here."""
    if not vectors.enabled():
        return engine().search(plan, limit=limit, facets=facets, also=also)
    depth = settings.KMS_SEARCH_SEMANTIC["candidates"]
    beside = vectors.beside_search()
    embedding = _question_soon(plan) if beside else None  # while the engine searches
    found = engine().search(plan, limit=max(limit, depth), facets=facets, also=also)
    known = vectors.known(found.hits[:depth])
    if len(known) < 2:
        return found  # nothing to tell apart by meaning
    if not beside:
        embedding = _question_soon(plan)
    if embedding is None:
        return found  # busy with other questions: ranked by words
    try:
        question = embedding.result()
    except vectors.ModelUnavailable:
        return found  # the model cannot run here (logged once): ranked by words
    hits = vectors.reranked(found.hits, question, known, vectors.weight(), depth)
    return dataclasses.replace(found, hits=hits)


def _question_soon(plan: Plan) -> Future[np.ndarray] | None:
    try:
        return vectors.question_vector_soon(plan.question)
    except vectors.ModelUnavailable:
        return None


def _rescored(hits: list[Hit], ranking: list[Hit]) -> list[Hit]:
    """`hits` scored as `ranking` scores the same articles (the blend, when ranking by
    meaning), so that a page, and the hits an answer weighs, compare like with like; a hit
    `ranking` does not hold (it stopped short of it) scores as `ranking`'s best."""
    scores = {hit.key: hit.score for hit in ranking}
    top = max(scores.values(), default=None)
    return [
        dataclasses.replace(hit, score=scores.get(hit.key, hit.score if top is None else top))
        for hit in hits
    ]


def _with_sub_categories(counts: dict[str, int]) -> dict[str, int]:
    """Category counts as the category filter finds them: each category's own matches and
    its sub-categories' (理赔 counts 理赔/医疗's too), the :data:`FACET_SHOWN` commonest."""
    rolled: collections.Counter[str] = collections.Counter()
    for category, count in counts.items():
        for path in category_paths(category):
            rolled[path] += count
    commonest = sorted(rolled.items(), key=lambda item: (-item[1], item[0]))
    return dict(commonest[:FACET_SHOWN])


def _leading(hits: list[Hit], below: list[Hit]) -> list[Hit]:
    """`hits` (the best bets and the articles asking the question, shown in this order
    above `below`) each scored as at least every hit after it, so that scores never rise
    down a page (a best bet found by no word scores 0 of its own)."""
    floor = max((hit.score for hit in below), default=0.0)
    lifted = []
    for hit in reversed(hits):
        floor = max(floor, hit.score)
        lifted.append(dataclasses.replace(hit, score=floor))
    return lifted[::-1]


def _scored(plan: Plan, hits: list[Hit]) -> tuple[dict[str, Hit], int]:
    """Those of `hits` the plan matches, as it scores them, and how many there are."""
    keys = tuple(hit.key for hit in hits)
    found = engine().search(
        dataclasses.replace(plan, filters=dataclasses.replace(plan.filters, keys=keys)),
        limit=len(keys),
        facets=False,
    )
    return {hit.key: hit for hit in found.hits}, found.count


def _asked(text: str, plan: Plan, *, exclude: set[str] = frozenset()) -> list[Hit]:
    """The articles whose title or similar question is `text`, punctuation, width, script
    and case aside, that the plan matches, as it scores them, best first — none when more
    than ``ASKED_MAX`` articles ask it."""
    question = analysis.compact(text)
    if not question:
        return []
    found = engine().asked(question, plan.filters, limit=ASKED_MAX)
    candidates = [hit for hit in found.hits if hit.key not in exclude]
    if found.count > ASKED_MAX or not candidates:
        return []
    scored, _ = _scored(plan, candidates)
    return sorted(scored.values(), key=lambda hit: -hit.score)


def suggest(text: str, filters: Filters, *, limit: int = 8) -> list[Suggestion]:
    """Titles and similar questions that start with what the reader has typed (its
    characters, or the pinyin initials of one: ``lp`` → 理赔…)."""
    prefix = analysis.normalise(text).strip()[:12]
    if not prefix:
        return []
    found: dict[str, Suggestion] = {}
    for hit in engine().complete(prefix, filters, limit=SUGGEST_SCAN):
        phrases = [hit.shown.get("title", ""), *hit.shown.get("questions", [])]
        for phrase in phrases:
            folded = analysis.normalise(phrase)
            if _starts(folded, prefix) and phrase not in found:
                found[phrase] = Suggestion(hit.key, phrase)
                break
        if len(found) >= limit:
            break

    def order(suggestion: Suggestion) -> tuple[bool, int, str]:
        """What begins with the prefix first, then the shortest."""
        text = suggestion.text
        return (not _begins(text, prefix), len(text), text)

    return sorted(found.values(), key=order)[:limit]


def _begins(phrase: str, prefix: str) -> bool:
    """Whether `phrase` begins with `prefix`, or its pinyin initials do."""
    folded = analysis.normalise(phrase)
    return folded.startswith(prefix) or analysis.initials(folded).startswith(prefix)


def _starts(phrase: str, prefix: str) -> bool:
    """Whether `prefix` occurs in `phrase`, or in the pinyin initials of its characters."""
    return prefix in phrase or prefix in analysis.initials(phrase)


def _idf(documents: int, holding: int) -> float:
    """The weight of a word `holding` of `documents` hold: the rarer, the heavier."""
    return math.log(1 + documents / (1 + holding))


@dataclass(frozen=True)
class Readable:
    """How the articles a reader may read hold a question's words: how many articles that
    is (`total`) and how many of them hold each word or a synonym of it (`holding`). All
    that :func:`answer` weighs a question by comes from here, so that neither its answer
    nor its confidence tells a key which words articles it cannot read hold."""

    total: int
    holding: dict[str, int]

    @property
    def weights(self) -> dict[str, float]:
        """Each word's inverse document frequency among the reader's articles."""
        return {word: _idf(self.total, count) for word, count in self.holding.items()}

    @property
    def unheard(self) -> float:
        """The informative share of the question's words that none of the reader's
        articles holds, under the word or any synonym of it: what the question is about,
        when the reader's knowledge base has never heard of it (猫咪, 吃饭 in
        猫咪不吃饭怎么回事, whose 怎么回事 an article may well hold)."""
        weights = self.weights
        whole = sum(weights.values()) or 1.0
        return sum(weights[word] for word, count in self.holding.items() if not count) / whole


def readable(plan: Plan) -> Readable:
    """:class:`Readable` for the plan's reader: one engine count per question word."""
    holding = {term.alternatives[0][0]: _readable_holding(plan, term) for term in plan.terms}
    return Readable(engine().readable(plan.filters), holding)


def _readable_holding(plan: Plan, term: queries.Term) -> int:
    """How many of the articles the reader may read hold `term`'s word or a synonym."""
    if plan.frequencies is not None and not any(
        plan.frequencies.of(TEXT_FIELD, tokens[0]) for tokens in term.alternatives
    ):
        return 0  # in no article at all
    alone = dataclasses.replace(plan, terms=(term,), loose={})  # the words, not their sounds
    return engine().search(alone, limit=1, facets=False).count


@dataclass(frozen=True)
class Weighing:
    """What :func:`answer` weighs for a question (see :func:`weighed`)."""

    hits: list[Hit]
    features: list[dict[str, float]]  # each hit's confidence features
    unheard: float = 0.0  # :attr:`Readable.unheard`: the share no readable article holds


def weighed(text: str, filters: Filters) -> Weighing:
    """The hits :func:`answer` weighs for `text` when no best bet is set — an article that
    asks it word for word first, then the ranking, leaving out any that holds no word of
    the question (found by its sound, bigrams or meaning alone) — each one's confidence
    features (what ``bench/answer_calibration.py`` fits the model on), and how much of the
    question the reader's articles never mention; no hits when nothing matches."""
    plan = plan_of(text, filters)
    if plan.empty:
        return Weighing([], [])
    best = ranked(plan, limit=ALTERNATIVES_MAX + 1, facets=False).hits
    if not best:
        return Weighing([], [])
    reader = readable(plan)
    weights = reader.weights
    asked = _rescored(_asked(text, plan), best)
    first = {hit.key for hit in asked}
    worded = (
        hit
        for hit in [*asked, *(hit for hit in best if hit.key not in first)]
        if text_coverage(plan, weights, hit)
    )
    hits = list(itertools.islice(worded, ALTERNATIVES_MAX + 1))
    found = [features(text, plan, weights, hits, rank) for rank in range(len(hits))]
    return Weighing(hits, found, reader.unheard if hits else 0.0)


def _candidate(hit: Hit, variables: dict[str, str], confidence: float) -> Candidate:
    return Candidate(
        hit.key,
        hit.shown.get("title", ""),
        filled(hit.shown.get("summary", ""), variables),
        filled(hit.shown.get("text", ""), variables),
        confidence,
    )


def answer(text: str, filters: Filters, *, tree: BranchTree | None = None) -> Answer:
    """The one best answer to `text`, or none.

    A best bet the knowledge team pinned for the question is the answer (confidence 1).
    Otherwise the engine's best hit is, when its confidence reaches the threshold; hits
    scoring within ``CLOSE`` of it are offered beside it. When the best hit falls short
    only because others come as close ("理赔需要哪些材料" and three kinds of claim), or
    ties with another that does not ask the question word for word either, there is no
    answer, and the close hits that would each be answered on their own are the
    alternatives a bot offers ("did you mean…"). Nor is there one when at least
    ``UNHEARD_MAX`` of the question's informative words are in none of the reader's
    articles (:attr:`Readable.unheard`); the alternatives are offered as usual."""
    tree = tree or branch_tree()
    variables = tree.variables_of(filters.branch)
    if pinned := _pinned(text, filters, tree):
        chosen = [_candidate(hit, variables, 1.0) for hit in pinned[: ALTERNATIVES_MAX + 1]]
        return Answer(chosen[0], 1.0, chosen[1:])
    weighing = weighed(text, filters)
    hits, found = weighing.hits, weighing.features
    if not hits:  # nothing matches, or only by sound or meaning: no word of it is there
        return Answer(None, 0.0)

    def candidate(rank: int) -> Candidate:
        return _candidate(hits[rank], variables, round(probability(found[rank]), 4))

    threshold = settings.KMS_ANSWER_THRESHOLD
    best = max(hit.score for hit in hits)  # an article asking the question may lead on less
    close = [0, *(r for r in range(1, len(hits)) if hits[r].score >= (1 - CLOSE) * best)]
    confidence = probability(found[0])
    # level with another and not the one article asking the question: nothing tells them apart
    tied = len(close) > 1 and not found[0]["margin"] and not found[0]["asked"]
    # most of what it asks about is in none of the reader's articles: it may be offered
    # what they hold ("did you mean…"), never answered by it
    familiar = weighing.unheard < UNHEARD_MAX
    if familiar and confidence >= threshold and not tied:
        return Answer(candidate(0), round(confidence, 4), [candidate(r) for r in close[1:]])
    offered = [candidate(r) for r in close if unrivalled(found[r]) >= threshold]
    # not knowing what the question is about, it is sure of nothing
    sure = round(confidence, 4) if familiar else 0.0
    return Answer(None, sure, offered if len(offered) > 1 else [])
