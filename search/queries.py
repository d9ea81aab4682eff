"""A reader's question as an engine-neutral plan: what to match, how much each field counts,
and what a hit must satisfy. Each backend compiles the same plan, so both rank alike.

Invariants:
* a plan's terms come from :func:`search.analysis.tokens`, the function that cut the
  documents, applied to the question with its input-method slips put right
  (:func:`search.analysis.corrected`: 里赔 asks for 理赔); each term carries its glossary
  synonyms as alternatives (a synonym of more than one token is a phrase), applied at
  query time, so a glossary change needs no reindex;
* the filters make every hit one the reader may see: the variant of the reader's branch
  (listed explicitly, or the inherited one the branch is not excluded from), for one of
  the reader's audiences, on one of the reader's channels when they are limited;
* field boosts are data (``settings.KMS_SEARCH_FIELD_BOOSTS``), not code;
* a document must match at least one *selective* clause (:meth:`Plan.clauses`): one
  whose word or loose token some, but not too many, documents hold (at most
  ``Plan.common_above``: ``settings.KMS_SEARCH_COMMON``). A common word (保险 in an
  insurance knowledge base) only adds to the score of documents a rarer one brought in,
  as Lucene's common-terms query does; when every word of the question is common, each
  clause is selective again. So an agent's count and facets describe the articles about
  the question, not every article sharing one frequent word with it — and the engine
  scores a few thousand documents, not the whole index.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings

from search import analysis
from search.records import ANALYSED_FIELDS, GRAMS_FIELD, SOUND_FIELD, TEXT_FIELD


@dataclass(frozen=True)
class Filters:
    branch: str
    audiences: tuple[str, ...]
    channels: tuple[str, ...] | None = None  # any of these; None: every channel
    category: str | None = None
    product: str | None = None
    tag: str | None = None
    keys: tuple[str, ...] | None = None  # only these articles (None: any)


@dataclass(frozen=True)
class Term:
    """One query word and what else may stand for it; each alternative is a token sequence,
    the word as typed first."""

    alternatives: tuple[tuple[str, ...], ...]
    shares: tuple[float, ...] = ()  # per alternative; empty: 1 and SYNONYM_WEIGHT

    def weighted(self) -> list[tuple[tuple[str, ...], float]]:
        """Each alternative with its share of the word's weight: the typed word 1, a
        synonym ``SYNONYM_WEIGHT`` unless ``shares`` says otherwise."""
        shares = self.shares or (1.0, *[SYNONYM_WEIGHT] * (len(self.alternatives) - 1))
        return list(zip(self.alternatives, shares, strict=True))


@dataclass(frozen=True)
class Frequencies:
    """How many documents the index holds, and how many of them hold each token, by field
    (a word's in ``text``, the whole article)."""

    total: int
    found: dict[str, dict[str, int]]

    def of(self, field: str, token: str) -> int:
        return self.found.get(field, {}).get(token, 0)


@dataclass(frozen=True)
class Clause:
    """One optional part of a plan's query: `field` holding one of `options` (token
    sequences, each with its share of the weight; the best one counts) times `boost`. A
    document must match a clause that `selects`; the others only add to its score."""

    field: str
    options: tuple[tuple[tuple[str, ...], float], ...]
    boost: float
    selects: bool = True


@dataclass(frozen=True)
class Plan:
    terms: tuple[Term, ...]
    loose: dict[str, tuple[str, ...]]  # field -> tokens matched one by one (records.LOOSE_FIELDS)
    filters: Filters
    boosts: dict[str, float] = field(default_factory=dict)
    frequencies: Frequencies | None = None  # None: not looked up, every clause selects
    common_above: float = math.inf  # a token more documents hold than this is common
    question: str = ""  # the question as meant: normalised, input-method slips put right

    @property
    def empty(self) -> bool:
        return not self.terms and not any(self.loose.values())

    @property
    def sounds(self) -> tuple[str, ...]:
        return self.loose.get(SOUND_FIELD, ())

    def _selective(self, field: str, token: str) -> bool:
        if self.frequencies is None:
            return True
        return 0 < self.frequencies.of(field, token) <= self.common_above

    @functools.cached_property
    def clauses(self) -> tuple[Clause, ...]:
        """Every (term, analysed field) and loose token with a positive boost, as the
        engines compile them (worked out once per plan). A term selects by the word typed
        (its synonyms come along); a token no document holds selects nothing; when no
        clause would select, all do."""
        found = [
            Clause(
                name,
                tuple(term.weighted()),
                self.boosts[name],
                self._selective(TEXT_FIELD, term.alternatives[0][0]),
            )
            for term in self.terms
            for name in ANALYSED_FIELDS
            if self.boosts.get(name, 0.0) > 0
        ]
        found += [
            Clause(name, (((token,), 1.0),), self.boosts[name], self._selective(name, token))
            for name, tokens in self.loose.items()
            if self.boosts.get(name, 0.0) > 0
            for token in tokens
        ]
        if not any(clause.selects for clause in found):
            return tuple(replace(clause, selects=True) for clause in found)
        return tuple(found)


SYNONYMS_MAX = 24  # alternatives a query word brings at most, the glossary's first
SYNONYMS_PER_QUERY = 64  # and a whole query, its first words' first: bounded work
# A synonym counts this much of the word typed, and a text holding several alternatives
# of one word counts as holding the best of them (max, not sum): adding 理赔/索赔/赔付 to
# the glossary must not rank an article that says all three above one about 理赔.
SYNONYM_WEIGHT = 0.8


def boosts() -> dict[str, float]:
    return dict(settings.KMS_SEARCH_FIELD_BOOSTS)


def with_frequencies(plan: Plan, frequencies: Frequencies) -> Plan:
    """`plan` knowing how common its tokens are (``settings.KMS_SEARCH_COMMON``: a token is
    common when more than `share` of the documents, and more than `documents`, hold it)."""
    common = settings.KMS_SEARCH_COMMON
    above = max(common["share"] * frequencies.total, common["documents"])
    return replace(plan, frequencies=frequencies, common_above=above)


def plan(
    text: str, filters: Filters, *, synonyms: dict[str, Sequence[tuple[str, ...]]] | None = None
) -> Plan:
    """The plan of query `text`; `synonyms` maps a token to its glossary alternatives."""
    synonyms = synonyms or {}
    text = analysis.normalise(text)
    meant = analysis.corrected(text, normalised=True)
    terms: dict[str, Term] = {}
    budget = SYNONYMS_PER_QUERY
    for token in analysis.tokens(meant, normalised=True):
        if token not in terms:
            others = [alt for alt in synonyms.get(token, ()) if alt != (token,)]
            others = others[: min(SYNONYMS_MAX, budget)]
            budget -= len(others)
            terms[token] = Term(((token,), *others))
    asked = (meant,) if meant == text else (meant, text)
    loose = {
        SOUND_FIELD: tuple(dict.fromkeys(analysis.sounds(meant, normalised=True))),
        GRAMS_FIELD: tuple(
            dict.fromkeys(
                gram for one in asked for gram in analysis.grams(one, normalised=True, digits=False)
            )
        ),
    }
    return Plan(tuple(terms.values()), loose, filters, boosts(), question=meant)
