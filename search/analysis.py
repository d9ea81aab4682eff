"""One text analysis for every engine: what a text means to the index, and a query to it.

Invariants:
* :func:`normalise` is NFKC (full-width → half-width), traditional → simplified (OpenCC
  ``t2s``) and lower case, in that order; 理賠, ＬＰ and 理赔 all normalise alike;
* :func:`tokens` is deterministic for a given dictionary (the shipped insurance terms plus
  the words :func:`dictionary_add` was given): documents and queries are cut by the same
  function, so both engines receive the same tokens and rank alike;
* policy numbers, product codes and Latin words (``P2024-0001``, ``e生保``'s ``e``) are one
  token each; ``{{ branch.x }}`` placeholders are never tokens;
* :func:`sounds` is the text's toneless pinyin, as syllable bigrams per run of Han
  characters: 里赔 and 理赔 sound alike, so a slip of a pinyin input method still matches;
* :func:`grams` are its character bigrams, which match across segmentation differences;
* :func:`corrected` puts right what a pinyin input method got wrong in a dictionary term
  (里赔 → 理赔, 保权 → 保全) and changes nothing else: a run of characters is replaced
  only when it is no word of the segmenter's and sounds exactly like one dictionary term.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import opencc
import rjieba
from pypinyin import lazy_pinyin

from content.markdown.analysis import VARIABLE_RE

TERMS_FILE = Path(__file__).with_name("terms.txt")
_T2S = opencc.OpenCC("t2s")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A code or number as written: letters/digits joined by - _ . / (P2024-0001, GB/T-123).
# Only from the start of a run, and possessive: linear on a long run with no separator
# (backtracking made 20,000 letters take seconds).
_CODE = re.compile(r"(?<![a-z0-9])[a-z0-9]++(?:[-_./][a-z0-9]++)+")
_WORDY = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

STOP_WORDS = frozenset(
    """
    的 了 吗 呢 吧 啊 呀 哦 么 嘛 是 我 你 您 他 她 它 我们 你们 他们 自己 在 和 与 及 或 或者
    怎么 怎样 怎么样 怎么办 怎么做 怎么弄 咋 咋办 如何 什么 甚么 哪些 哪个 哪里 哪儿
    为什么 为何 多少 几 能 能否 能不能 可以
    可不可以 要 需要 会 有 没有 吗 请问 请 一下 这 那 这个 那个 这些 那些 就 都 也 还 把 被
    对 给 让 从 到 之 其 如果 因为 所以 但是 而 并 等 个 些 该 应该 吗 谁 时候 一个 得 地 着 过
    the a an of to is are was be do does did i my me you your we it in on for and or
    what how can will with at by from that this if
    """.split()
)


SLIP_MAX = 4  # characters of the longest term an input-method slip is put right in


_BLANK = frozenset({" ", ""})
_BLANK_AND_STOP_WORDS = STOP_WORDS | _BLANK


class _Dictionary:
    """rjieba with the insurance terms; one per process, shared by every thread.

    ``sounding`` maps the toneless pinyin of each term of 2–4 Han characters to the term,
    or to None where two terms sound alike (a slip between them cannot be put right)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jieba = rjieba.Jieba()
        self.words: set[str] = set()
        self.sounding: dict[str, str | None] = {}
        self.add(line.strip() for line in TERMS_FILE.read_text(encoding="utf-8").splitlines())

    def add(self, words: Iterable[str]) -> list[str]:
        """Teach the segmenter `words`; returns those it did not know yet."""
        new = []
        with self._lock:
            for word in words:
                word = normalise(word).strip()
                if word and not word.startswith("#") and word not in self.words:
                    self._jieba.add_word(word, None, None)
                    self.words.add(word)
                    new.append(word)
                    if 2 <= len(word) <= SLIP_MAX and _HAN.fullmatch(word):
                        sound = _sound_key(word)
                        self.sounding[sound] = (
                            word if self.sounding.get(sound, word) == word else None
                        )
        return new

    def cut_exact(self, text: str) -> list[str]:
        """`text` cut by the dictionary alone: a sequence it does not know falls apart
        into single characters (no guessing of new words)."""
        return self._jieba.cut(text, False)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut_for_search(text)


@functools.cache
def _dictionary() -> _Dictionary:
    return _Dictionary()


def dictionary_add(words: Iterable[str]) -> list[str]:
    """Make `words` (product names, glossary terms) one token each from now on; returns
    the new ones. Text indexed before keeps its old tokens until it is indexed again."""
    return _dictionary().add(words)


# Full-width ASCII and the ideographic space, narrowed as NFKC would: Chinese text is
# rarely NFKC only because of its full-width punctuation (，？：), and narrowing that
# first lets most texts skip the full normalisation, which costs four times as much.
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_NARROW = {chr(wide): chr(wide - 0xFEE0) for wide in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, the same string, mostly faster."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    text = _WIDE.sub(lambda wide: _NARROW[wide.group()], text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


# Characters that show nothing (zero-width spaces and joiners, direction marks and
# embeddings, the byte-order mark): pasted text carries them inside words (理\u200b赔).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def normalise(text: str) -> str:
    """`text` as compared: invisible characters out, NFKC (full width folded),
    traditional characters simplified, lower case."""
    return _T2S.convert(_nfkc(_INVISIBLE.sub("", text))).lower()


def compact(text: str) -> str:
    """`text` normalised with everything but letters, digits and Han characters taken out:
    理赔 材料？ and 理赔材料 compact alike."""
    return "".join(_WORDY.findall(normalise(text)))


def tokens(text: str, *, normalised: bool = False, keep_stop_words: bool = False) -> list[str]:
    """The index terms of `text`, in order (repeats kept: they count)."""
    text = VARIABLE_RE.sub(" ", text if normalised else normalise(text))
    found: list[str] = []
    start = 0
    for code in _CODE.finditer(text):
        found += _words(text[start : code.start()], keep_stop_words)
        found.append(code.group())
        start = code.end()
    found += _words(text[start:], keep_stop_words)
    return found


_UNWORDY = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _words(text: str, keep_stop_words: bool) -> list[str]:
    # Punctuation and spaces only ever separate words: one space each, cut as nothing.
    text = _UNWORDY.sub(" ", text)
    if text == " " or not text:
        return []
    dropped = _BLANK if keep_stop_words else _BLANK_AND_STOP_WORDS
    return [word for word in _dictionary().cut(text) if word not in dropped]


@functools.lru_cache(maxsize=65536)
def syllable(char: str) -> str:
    """The toneless pinyin of a Han character; the character itself when it has none
    (兙, 烪 and some 900 rare or compatibility characters) or is not Han."""
    if not _HAN.match(char):
        return char
    reading = lazy_pinyin(char, errors="ignore")
    return reading[0] if reading else char


def _sound_key(run: str) -> str:
    return " ".join(syllable(char) for char in run)


def corrected(text: str, *, normalised: bool = False) -> str:
    """`text` (normalised) with input-method slips in dictionary terms put right.

    A slip is a run of 2–4 Han characters that sounds exactly like one term of the
    dictionary and is not that term, made of whole pieces of the segmenter's cut (so it
    never cuts through a word: 人寿|现金 holds no 寿险) of which one at least is a lone
    character (a run of whole words is what was meant). Longest runs first:
    里赔材料 → 理赔材料, 犹预期 → 犹豫期; words and terms as typed stay."""
    text = text if normalised else normalise(text)
    dictionary = _dictionary()
    if not dictionary.sounding:
        return text
    out: list[str] = []
    for piece in re.split(f"({_HAN.pattern})", text):
        if _HAN.fullmatch(piece):
            out += _put_right(dictionary.cut_exact(piece), dictionary.sounding)
        else:
            out.append(piece)
    return "".join(out)


def _put_right(words: list[str], sounding: dict[str, str | None]) -> list[str]:
    out: list[str] = []
    at = 0
    while at < len(words):
        for end in range(len(words), at + 1, -1):
            run = "".join(words[at:end])
            if len(run) > SLIP_MAX or all(len(word) > 1 for word in words[at:end]):
                continue
            term = sounding.get(_sound_key(run))
            if term and term != run:
                out.append(term)
                at = end
                break
        else:
            out.append(words[at])
            at += 1
    return out


_SOUNDLESS = re.compile(
    "|".join(
        sorted((w for w in STOP_WORDS if len(w) > 1 and _HAN.fullmatch(w)), key=len, reverse=True)
    )
    + "|[的了吗呢吧啊呀嘛]"
)


def sounds(text: str, *, normalised: bool = False) -> list[str]:
    """Toneless pinyin syllable bigrams of each run of Han characters (``li_pei``), stop
    words left out (怎么 sounds like nothing); a run of one character is its syllable."""
    text = VARIABLE_RE.sub(" ", text if normalised else normalise(text))
    text = _SOUNDLESS.sub(" ", text)
    found: list[str] = []
    for run in _HAN.findall(text):
        syllables = [syllable(char) for char in run]
        if len(syllables) == 1:
            found.append(syllables[0])
        found += [f"{a}_{b}" for a, b in itertools.pairwise(syllables)]
    return found


_GRAMMED = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_GRAMMED_NO_DIGITS = re.compile(r"[a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def grams(text: str, *, normalised: bool = False, digits: bool = True) -> list[str]:
    """Character bigrams of each run of letters, digits and Han characters: they match
    where segmentation cut a question and its answer differently (a run of one
    character is itself). Without `digits`, digits end a run and have no bigrams: the
    bigrams of a number (``20``, ``02``) would let a policy number or a date nobody
    wrote match every text that holds some date."""
    text = VARIABLE_RE.sub(" ", text if normalised else normalise(text))
    found: list[str] = []
    for run in (_GRAMMED if digits else _GRAMMED_NO_DIGITS).findall(text):
        found += [run] if len(run) == 1 else [run[at : at + 2] for at in range(len(run) - 1)]
    return found


@functools.lru_cache(maxsize=65536)
def _initial(char: str) -> str:
    if _HAN.match(char):
        return syllable(char)[:1]
    return char if char.isascii() and char.isalnum() else ""


def initials(text: str, *, normalised: bool = False) -> str:
    """The first letters of `text`'s syllables, Latin letters and digits as they are:
    理赔材料 → ``lpcl``; what agents type into a pinyin-initials search box. Each
    character is read alone (a polyphone takes its most common reading)."""
    return "".join(_initial(char) for char in (text if normalised else normalise(text)))
