"""A full rebuild analyses articles on every core: a worker process cuts text exactly as
the process that asked, glossary words included."""

from __future__ import annotations

import datetime as dt

from content import parallel
from content.variants import INHERITED, Variant, VariantText
from search import analysis
from search.records import analysed, records

WORD = "康宁倍护宝"  # a product name only the glossary teaches


def variant(key: str) -> Variant:
    text = VariantText(
        key=key,
        title=f"{WORD}怎么理赔？",
        summary=f"{WORD}理赔请准备申请书。",
        text=f"{WORD}的理赔材料：申请书、身份证件。请致电 {{{{ branch.hotline }}}}。",
        questions=[f"{WORD}能报销吗"],
        category="理赔",
        products=[],
        tags=[],
        channels=["agent"],
        audience="public",
        updated_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    return Variant(text, (INHERITED,))


def test_records_built_in_worker_processes_equal_those_built_here() -> None:
    analysis.dictionary_add([WORD])
    batches = [[variant(f"KB-9{n:05d}")] for n in range(3)]
    here = [list(records(batch)) for batch in batches]

    jobs = (((WORD,), batch) for batch in batches)
    there = list(parallel.pmap_stream(analysed, jobs, total=parallel.THRESHOLD))

    assert there == here
    assert WORD in there[0][0].title.split()


def test_streamed_results_come_back_in_order() -> None:
    found = list(parallel.pmap_stream(abs, iter(range(-50, 0)), total=parallel.THRESHOLD))
    assert found == list(range(50, 0, -1))
