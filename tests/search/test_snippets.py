"""Snippets: the densest window of the reader's text, query words marked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search.snippets import _densest, snippet


def test_the_window_with_the_most_matches_is_shown() -> None:
    text = "理赔" + "。" * 300 + "理赔材料：理赔申请书、理赔收据" + "。" * 300
    shown = snippet(text, ["理赔"], width=60)
    assert shown.startswith("…") and shown.count("<mark>理赔</mark>") == 3


@given(
    st.lists(st.integers(0, 600), min_size=1, max_size=30, unique=True),
    st.sampled_from([5, 40, 120]),
)
def test_the_densest_window_is_found_in_one_pass(starts: list[int], width: int) -> None:
    spans = [(start, start + 1) for start in sorted(starts)]
    most = [sum(1 for s, _ in spans[i:] if s < spans[i][0] + width) for i in range(len(spans))]
    assert _densest(spans, width) == most.index(max(most))
