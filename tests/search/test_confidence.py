"""The answer's confidence features: what a hit shares with the question asked."""

from __future__ import annotations

from search.backends.base import Hit
from search.confidence import asks, closeness

TITLE = "投保人去世了保单怎么办"


def _hit(title: str, *questions: str) -> Hit:
    return Hit("KB-1", 1.0, "理赔", {"title": title, "questions": list(questions)})


def test_a_question_slipped_through_a_pinyin_input_method_still_asks_its_title() -> None:
    slipped = "投保人去事了保单怎么半？"  # 世→事, 办→半: the same sounds
    assert closeness(slipped, TITLE) == 1.0
    assert asks(_hit("其他标题", TITLE), slipped)


def test_another_question_is_neither_close_nor_asked() -> None:
    other = "投保人可以变更受益人吗"
    assert closeness(other, TITLE) < 0.5
    assert not asks(_hit(TITLE), other)
    assert asks(_hit(TITLE), "投保人去世了，保单怎么办")  # punctuation aside
