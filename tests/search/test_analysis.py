"""The one analysis both engines index and query with."""

from __future__ import annotations

import signal
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import analysis
from search.records import category_paths, completions


def test_traditional_full_width_and_case_fold_alike() -> None:
    assert analysis.normalise("理賠ＡＰＰ") == analysis.normalise("理赔app") == "理赔app"
    assert analysis.tokens("理賠材料") == analysis.tokens("理赔材料")


def test_segmentation_keeps_insurance_terms_whole() -> None:
    found = analysis.tokens("申请医疗险理赔需要准备哪些材料")
    assert {"医疗险", "理赔", "材料"} <= set(found)
    assert "的" not in analysis.tokens("理赔的材料")  # a stop word


def test_codes_and_mixed_names_survive() -> None:
    found = analysis.tokens("保单号P2024-0001的康宁e生保")
    assert "p2024-0001" in found
    assert "e" in found or any(token.startswith("e") for token in found)


def test_placeholders_are_never_tokens() -> None:
    assert analysis.tokens("请致电 {{ branch.hotline }}") == ["致电"]


def test_a_new_word_is_one_token_once_learnt() -> None:
    assert "康宁福满多" not in analysis.tokens("康宁福满多年金")
    analysis.dictionary_add(["康宁福满多"])
    assert "康宁福满多" in analysis.tokens("康宁福满多年金")


@pytest.mark.parametrize(("slip", "meant"), [("里赔", "理赔"), ("保权", "保全"), ("退宝", "退保")])
def test_homophone_slips_sound_alike(slip: str, meant: str) -> None:
    assert analysis.sounds(slip) == analysis.sounds(meant)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("里赔材料", "理赔材料"),
        ("保权变更", "保全变更"),
        ("推保多久到账", "退保多久到账"),
        ("犹预期是多久", "犹豫期是多久"),
        ("保单号P2024-0001里赔", "保单号p2024-0001理赔"),
        ("是否具有现金家值", "是否具有现金价值"),
    ],
)
def test_input_method_slips_in_insurance_terms_are_put_right(typed: str, meant: str) -> None:
    assert analysis.corrected(typed) == meant
    assert analysis.tokens(analysis.corrected(typed)) == analysis.tokens(meant)


@pytest.mark.parametrize(
    "typed",
    [
        "理赔材料",
        "支付宝",
        "我想问一下",
        "e生保",
        "人寿现金价值",  # 寿现 sounds like 寿险 but cuts through 人寿|现金
        "固定年金如何保证",  # 何保 sounds like 核保 but cuts through 如何|保证
        "索引保险产品",  # 引保 sounds like 银保 but cuts through 索引|保险
    ],
)
def test_words_and_terms_as_typed_are_never_changed(typed: str) -> None:
    assert analysis.corrected(typed) == analysis.normalise(typed)


def test_a_glossary_term_learnt_is_put_right_too() -> None:
    assert analysis.corrected("我想买安心宝") == "我想买安心宝"
    analysis.dictionary_add(["安欣宝"])  # a product name, as the glossary teaches it
    assert analysis.corrected("我想买安心宝") == "我想买安欣宝"


def test_pinyin_initials() -> None:
    assert analysis.initials("理赔材料") == "lpcl"
    assert analysis.initials("e生保App") == "esbapp"


def test_compact_ignores_spaces_and_punctuation() -> None:
    assert analysis.compact("理赔 材料？") == analysis.compact("理賠材料") == "理赔材料"


def test_category_paths_and_completions() -> None:
    assert category_paths("理赔/医疗") == ["理赔", "理赔/医疗"]
    found = completions(["理赔材料清单"])
    assert {"理赔材料清单", "材料清单", "lpclqd", "clqd"} <= set(found)  # found by prefix
    assert "赔材料清单" not in found  # not a word start


@pytest.mark.parametrize("text", ["兙字测试", "烪", "理赔兙兙", "瓧瓰瓱"])
def test_characters_without_pinyin_sound_as_themselves(text: str) -> None:
    """Some 900 rare and compatibility characters have no reading in pypinyin."""
    assert analysis.sounds(text)
    assert len(analysis.initials(text)) == len(text)
    assert analysis.corrected(text) == analysis.normalise(text)
    assert completions([text])


def test_a_long_run_of_letters_is_cut_in_linear_time() -> None:
    """Bodies may hold 50,000 characters; a backtracking code pattern took minutes on a
    run of letters without separators (the alarm only bounds a hang)."""

    def hung(*_: object) -> None:
        raise TimeoutError("tokens() did not finish")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        found = analysis.tokens("x" * 50_000 + " 保单号P2024-0001")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert found[-1] == "p2024-0001"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_the_fast_width_folding_is_exactly_nfkc(text: str) -> None:
    assert analysis._nfkc(text) == unicodedata.normalize("NFKC", text)


def test_width_folding_narrows_full_width_punctuation_and_keeps_the_rest() -> None:
    assert analysis._nfkc("理赔，　Ｐ２０２４？ﬁ") == "理赔, P2024?fi"


def test_characters_that_show_nothing_do_not_split_a_word() -> None:
    pasted = "\ufeff理\u200b赔\u200d材\u200f料\u00ad"  # zero-width, joiner, mark, BOM, soft hyphen
    assert analysis.tokens(pasted) == analysis.tokens("理赔材料")
