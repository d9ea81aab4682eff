"""The glossary as search uses it: query-time synonyms and words the segmenter must know.

Invariants:
* every process sees a glossary change on its next query once the change commits: each
  process builds the glossary itself and keeps it until a glossary, best bet or product
  save or delete says otherwise (:mod:`content.stamps`, as the branch tree); building it
  teaches this process's segmenter its words;
* synonyms apply at query time only — each term's alternatives are the token sequences of
  the other terms of its groups — so a change needs no reindex, except that a term the
  segmenter did not know as one word (:func:`new_words`) is found as one word only in
  articles indexed after it was learnt (``kms_reindex``); the admin says so;
* product names are segmenter words too, so 安康福 stays one token;
* ``pinned`` holds every query that has a best bet (normalised as
  :func:`search.models.promoted_query` does), so a search for any other asks the
  database nothing about best bets; a best bet's save or delete clears it as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.models import Product
from content.stamps import Stamped
from search import analysis
from search.models import PromotedResult, SynonymGroup


@dataclass(frozen=True)
class Glossary:
    synonyms: dict[str, tuple[tuple[str, ...], ...]]
    words: tuple[str, ...]
    pinned: frozenset[str] = frozenset()


def _phrase(term: str) -> tuple[str, ...]:
    """`term` as the index holds it: its words, stop words out (as in every text), so a
    stop word inside a term (理赔 的) is neither looked for nor marked in snippets."""
    found = analysis.tokens(term)
    longest = [token for token in found if not any(token != o and token in o for o in found)]
    return tuple(longest)


def build() -> Glossary:
    groups = [group.term_list for group in SynonymGroup.objects.all()]
    words = [term for terms in groups for term in terms]
    words += [analysis.normalise(name) for name in Product.objects.values_list("name", flat=True)]
    analysis.dictionary_add(words)
    synonyms: dict[str, list[tuple[str, ...]]] = {}
    for terms in groups:
        phrases = [_phrase(term) for term in terms]
        for phrase in phrases:
            if len(phrase) == 1:
                options = synonyms.setdefault(phrase[0], [])
                options += [other for other in phrases if other != phrase and other not in options]
    pinned = frozenset(PromotedResult.objects.values_list("normalised", flat=True))
    return Glossary({key: tuple(value) for key, value in synonyms.items()}, tuple(words), pinned)


_glossaries: Stamped[Glossary] = Stamped("glossary", build)


def current() -> Glossary:
    """The glossary now (built once per change, per process)."""
    return _glossaries.get()


def changed() -> None:
    """Call in the transaction that changes a synonym group, a best bet or a product."""
    _glossaries.changed()


def new_words(terms: list[str]) -> list[str]:
    """Those of `terms` the segmenter does not yet cut as one word."""
    return [term for term in terms if _phrase(term) != (term,)]
