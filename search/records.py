"""What one indexed document is, the same for every engine.

Invariants:
* a record is one variant of one article (``content.selectors.Variant``): its ``id`` is
  the article key and the variant's position, and every record of an article shares the
  article's ``key``, so replacing an article is "delete by key, add its records";
* the analysed fields hold :mod:`search.analysis` tokens joined by spaces, so an engine
  only splits on whitespace: both engines index exactly the same terms;
* ``payload`` is what a hit shows (title, summary, text with ``{{ branch.x }}`` as
  written, updated time): a hit is served from the index without a database query.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from content.variants import Variant
from search import analysis

# `text` is the whole article (title, questions, summary, body) as one field: BM25 over it
# ranks customers' questions against answers better than a sum over the parts does
# (docs/benchmarks.md); the short parts are there to weigh a match in a title, a question
# or the summary more. The body has no field of its own: it counts through `text`.
TEXT_FIELD = "text"  # the whole article: a word's document frequency is counted here
ANALYSED_FIELDS = (TEXT_FIELD, "title", "questions", "summary")
SOUND_FIELD = "sound"
GRAMS_FIELD = "grams"
# Fields matched token by token, without synonyms: pinyin and character bigrams.
LOOSE_FIELDS = (SOUND_FIELD, GRAMS_FIELD)
COMPLETION_PREFIX_MAX = 12  # characters of a title or question a completion may start with


def category_paths(category: str) -> list[str]:
    """`category` and each of its ancestors (理赔/医疗 → 理赔, 理赔/医疗): a filter on a
    category finds its sub-categories."""
    parts = [part for part in category.split("/") if part]
    return ["/".join(parts[: end + 1]) for end in range(len(parts))]


def completions(phrases: Iterable[str], *, normalised: bool = False) -> list[str]:
    """The terms a completion of `phrases` is found by, as their prefixes: each phrase
    (normalised) from each of its word starts on, and the pinyin initials of its characters
    from there, ``COMPLETION_PREFIX_MAX`` characters each (理赔材料 → 理赔材料, 材料, lpcl, cl:
    理, 理赔…, 材料…, l, lp… all complete to it)."""
    found: set[str] = set()
    for phrase in phrases:
        text = (phrase if normalised else analysis.normalise(phrase)).strip()
        if not text:
            continue
        position = 0
        starts = {0}
        for word in analysis.tokens(text, normalised=True, keep_stop_words=True):
            at = text.find(word, position)
            if at >= 0:
                starts.add(at)
                position = at
        letters = [analysis.initials(char, normalised=True) for char in text]
        for at in starts:
            found.add(text[at : at + COMPLETION_PREFIX_MAX])
            found.add("".join(letters[at : at + COMPLETION_PREFIX_MAX]))
    found.discard("")
    return sorted(found)


@dataclass(frozen=True)
class Record:
    id: str
    key: str
    branches: list[str]
    excluded: list[str]
    channels: list[str]
    audience: str
    category: str
    category_paths: list[str]
    products: list[str]
    tags: list[str]
    text: str
    title: str
    questions: str
    summary: str
    sound: str
    grams: str
    complete: list[str]
    asked: list[str]  # the title and similar questions, compacted: the questions it answers
    payload: str

    @property
    def shown(self) -> dict:
        return json.loads(self.payload)

    def fields(self) -> dict:
        """Every field by name, as both engines index them (the lists are the record's)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _joined(normalised: str) -> str:
    return " ".join(analysis.tokens(normalised, normalised=True))


def record(variant: Variant, position: int) -> Record:
    """The index record of `variant`, the `position`-th of its article."""
    article = variant.article
    title, summary, text = map(analysis.normalise, (article.title, article.summary, article.text))
    questions = [analysis.normalise(question) for question in article.questions]
    heard = [title, *questions, summary]
    parts = [_joined(part) for part in (title, "\n".join(questions), summary, text)]
    return Record(
        id=f"{article.key}#{position}",
        key=article.key,
        branches=list(variant.branches),
        excluded=list(variant.excluded),
        channels=list(article.channels),
        audience=article.audience,
        category=article.category,
        category_paths=category_paths(article.category),
        products=list(article.products),
        tags=list(article.tags),
        text=" ".join(parts),
        title=parts[0],
        questions=parts[1],
        summary=parts[2],
        sound=" ".join(chain.from_iterable(analysis.sounds(p, normalised=True) for p in heard)),
        grams=" ".join(
            chain.from_iterable(
                analysis.grams(p, normalised=True, digits=False) for p in (*heard, text)
            )
        ),
        complete=completions([title, *questions], normalised=True),
        asked=sorted({analysis.compact(p) for p in (title, *questions)} - {""}),
        payload=json.dumps(
            {
                "title": article.title,
                "summary": article.summary,
                "text": article.text,
                "questions": article.questions,
                "updated_at": article.updated_at.isoformat() if article.updated_at else None,
            },
            ensure_ascii=False,
        ),
    )


def records(variants: Iterable[Variant]) -> Iterator[Record]:
    """Every variant's record, numbered per article in the order given."""
    positions: dict[str, int] = {}
    for variant in variants:
        position = positions.get(variant.article.key, 0)
        positions[variant.article.key] = position + 1
        yield record(variant, position)


def analysed(job: tuple[tuple[str, ...], list[Variant]]) -> list[Record]:
    """The records of a batch of whole articles' variants, cut with the dictionary that
    also knows `words` (the glossary's and the products'): pure, so worker processes
    (``content.parallel``) can build them exactly as this one would."""
    words, variants = job
    analysis.dictionary_add(words)
    return list(records(variants))
