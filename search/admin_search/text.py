"""What the editors' index holds of a text, and what an editor's query asks of it.

Invariants:
* every text, indexed or asked, goes through :mod:`search.analysis` and nothing else:
  words are :func:`~search.analysis.tokens`, written space-separated so the database's
  full-text parser (SQLite FTS5 ``unicode61``, PostgreSQL's default parser) reads back
  exactly those tokens; grams are :func:`~search.analysis.grams`, the character bigrams;
* a query piece (what the editor typed between spaces) matches a text that holds all of
  the piece's words, input-method slips put right (里赔 → 理赔), or holds the piece as
  written (its grams in sequence): 犹豫期 finds 犹豫期内 although the segmenter cut that
  犹豫/期内, as the old substring search did, and 里赔 finds a text with that very typo;
* the segmenter knows the same words on both sides (it is taught the glossary's
  words in every process, worker processes included), so both sides are cut alike;
* nothing here touches the database: the functions run in worker processes too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from search import analysis

#: (column, boost, text) of one indexed field value; column is "title" or "body".
FieldText = tuple[str, float | None, str]


def analysed(fields: Sequence[FieldText]) -> tuple[list[FieldText], str]:
    """`fields` with their texts as words, and the grams of all of them together."""
    normalised = [(column, boost, analysis.normalise(text)) for column, boost, text in fields]
    as_words = [
        (column, boost, " ".join(analysis.tokens(text, normalised=True)))
        for column, boost, text in normalised
    ]
    grams = [" ".join(analysis.grams(text, normalised=True)) for _, _, text in normalised]
    return as_words, " ".join(gram for gram in grams if gram)


def analysed_batch(
    job: tuple[Sequence[str], Sequence[Sequence[FieldText]]],
) -> list[tuple[list[FieldText], str]]:
    """:func:`analysed` of each document of ``(known, documents)``, in a worker process
    that first learns the words `known`."""
    known, documents = job
    analysis.dictionary_add(known)
    return [analysed(fields) for fields in documents]


@dataclass(frozen=True)
class Piece:
    """One piece of a query: its words (all required) or its grams (in sequence)."""

    words: tuple[str, ...]
    grams: tuple[str, ...]


def pieces(query: str) -> list[Piece]:
    """The pieces of `query`, split where the editor put spaces; pieces with nothing
    searchable in them (punctuation) are left out."""
    found = []
    for piece in analysis.normalise(query).split():
        meant = analysis.corrected(piece, normalised=True)  # 里赔 → 理赔, as agents' search
        tokens = tuple(dict.fromkeys(analysis.tokens(meant, normalised=True)))
        grams = tuple(analysis.grams(piece, normalised=True))  # the slip as written, too
        if tokens or grams:
            found.append(Piece(tokens, grams))
    return found


def phrase_grams(query: str) -> tuple[str, ...]:
    """The grams of a quoted phrase, in sequence (spaces and punctuation aside)."""
    return tuple(analysis.grams(query))
