"""A serving process warms up with a search of its own, and never fails for it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from search import vectors, warmup
from tests.search.test_semantic import _publish_pair, semantic  # noqa: F401 (a fixture)


@pytest.mark.django_db
def test_warming_up_loads_what_the_first_search_needs(
    semantic: None,  # noqa: F811
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _publish_pair(django_capture_on_commit_callbacks)
    vectors._loaded.cache_clear()

    warmup.warm_up()

    assert vectors._loaded.cache_info().currsize == 1  # the model is loaded


@pytest.mark.django_db
def test_warming_up_without_an_index_leaves_it_to_the_first_reader(
    settings, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="search.warmup")
    settings.KMS_SEARCH_INDEX_DIR = tmp_path / "none"  # never built
    warmup.warm_up()  # does not raise
    assert "warm-up left to the first reader (IndexUnavailable" in caplog.text
