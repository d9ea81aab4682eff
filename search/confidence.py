"""How sure the answer endpoint is: a logistic model over what a hit shares with the question.

Invariants:
* :func:`features` depend only on the question's plan, its words' weights (their
  document frequencies among the articles the reader may read:
  ``search.services.Readable``, so that no confidence tells a key what articles it cannot
  read hold) and the hits' stored text and scores, so both engines give the same
  confidence for the same hits; none of them is a raw engine score, whose scale changes
  with the size of the knowledge base, so a model fitted on one knowledge base transfers
  to another;
* :func:`probability` is ``1 / (1 + e^-(bias + Σ weight·feature))`` with the weights in
  ``settings.KMS_ANSWER_MODEL`` (data, fitted on the development splits by
  ``bench/answer_calibration.py``): on those splits it estimates the chance that the
  article answers the question, which is what the threshold is set against;
* a hit's ``margin`` is its lead over the best *other* hit, 0 for any hit but the first:
  a runner-up is never more certain than the answer it runs up to;
* a question none of whose informative words an article holds scores near 0, so a
  question from outside insurance (weather, recipes, football) gets no answer (nor does
  one most of whose informative words the reader's articles never use:
  ``search.services.Readable.unheard``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from search import analysis
from search.backends.base import Hit
from search.queries import Plan

FEATURES = ("title_coverage", "text_coverage", "closeness", "margin", "asked")


def _coverage(plan: Plan, weights: dict[str, float], held: set[str]) -> float:
    whole = sum(weights.values()) or 1.0
    covered = sum(
        weights.get(term.alternatives[0][0], 0.0)
        for term in plan.terms
        if any(all(token in held for token in tokens) for tokens in term.alternatives)
    )
    return covered / whole


@dataclass(frozen=True)
class _Forms:
    """A question or title as compared: compacted, and its syllables; the bigrams of each."""

    written: str
    spoken: tuple[str, ...]
    characters: frozenset[str]
    sounds: frozenset[tuple[str, ...]]


@functools.lru_cache(maxsize=4096)  # titles and similar questions recur across questions
def _forms(text: str) -> _Forms:
    written = analysis.compact(text)
    spoken = tuple(analysis.syllable(char) for char in written)
    return _Forms(
        written,
        spoken,
        frozenset(written[at : at + 2] for at in range(len(written) - 1)) or frozenset([written]),
        frozenset(spoken[at : at + 2] for at in range(len(spoken) - 1)) or frozenset([spoken]),
    )


def _dice(asked: frozenset, held: frozenset) -> float:
    return 2 * len(asked & held) / (len(asked) + len(held)) if asked and held else 0.0


def closeness(question: str, phrase: str) -> float:
    """Dice coefficient of the two texts' character bigrams, or of their syllable bigrams
    when that is higher: 1 for the same question however it is punctuated or slipped
    through a pinyin input method, high for a rewording, low for another question."""
    asked, held = _forms(question), _forms(phrase)
    return max(_dice(asked.characters, held.characters), _dice(asked.sounds, held.sounds))


def _phrases(hit: Hit) -> list[str]:
    shown = hit.shown
    return [shown.get("title", ""), *shown.get("questions", [])]


def asks(hit: Hit, question: str) -> bool:
    """Whether `question` is the hit's title or one of its similar questions, punctuation,
    width, script and case aside."""
    asked = _forms(question)
    if not asked.written:
        return False
    for phrase in _phrases(hit):
        held = _forms(phrase)
        if held.written == asked.written or held.spoken == asked.spoken:
            return True
    return False


def text_coverage(plan: Plan, weights: dict[str, float], hit: Hit) -> float:
    """The informative (IDF-weighted) share of the question's words the hit's title,
    similar questions and text hold."""
    shown = hit.shown
    return _coverage(
        plan, weights, set(analysis.tokens(" ".join([*_phrases(hit), shown.get("text", "")])))
    )


def features(
    question: str, plan: Plan, weights: dict[str, float], hits: Sequence[Hit], rank: int
) -> dict[str, float]:
    """What hit `rank` of `hits` shares with `question`: the informative (IDF-weighted)
    share of its words in the title or a similar question, and in the whole text; how
    close the question is to the nearest of those phrases, as written or as spoken (a
    pinyin slip is close); its lead over the best other hit (a share of its own score);
    and whether the question is (or sounds exactly like) the hit's own title or similar
    question and no other hit's (the FAQ case: an agent or a bot asking a standard question
    word for word)."""
    hit = hits[rank]
    phrases = _phrases(hit)
    title = max(_coverage(plan, weights, set(analysis.tokens(p))) for p in phrases)
    text = text_coverage(plan, weights, hit)
    rivals = [other.score for at, other in enumerate(hits) if at != rank]
    lead = (hit.score - max(rivals, default=0.0)) / hit.score if hit.score > 0 and not rank else 0.0
    return {
        "title_coverage": title,
        "text_coverage": text,
        "closeness": max(closeness(question, phrase) for phrase in phrases),
        "margin": max(lead, 0.0),
        "asked": float(
            asks(hit, question)
            and not any(asks(other, question) for at, other in enumerate(hits) if at != rank)
        ),
    }


def probability(found: dict[str, float]) -> float:
    model = settings.KMS_ANSWER_MODEL
    z = model["bias"] + sum(model["weights"].get(name, 0.0) * found[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def unrivalled(found: dict[str, float]) -> float:
    """The probability the hit would have if no other article came close to it: how well
    it answers the question on its own, whatever else does too."""
    return probability({**found, "margin": 1.0})
