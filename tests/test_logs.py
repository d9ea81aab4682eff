"""The development server's request log keeps no number a reader typed."""

from __future__ import annotations

import logging

import pytest

from kms.logs import MaskedRequestLines


def served(caplog: pytest.LogCaptureFixture, *args: str) -> list[str]:
    """What the development server's log says of one request line, as runserver logs it."""
    logger = logging.getLogger("django.server")
    with caplog.at_level(logging.INFO, logger="django.server"):
        logger.addHandler(caplog.handler)
        try:
            logger.info('"%s" %s %s', *args)
        finally:
            logger.removeHandler(caplog.handler)
    return caplog.messages


def test_runserver_request_lines_have_their_digit_runs_masked(caplog) -> None:
    line = "GET /api/v1/search?q=%E4%BF%9D%E5%8D%9512345678&branch=GD HTTP/1.1"

    assert served(caplog, line, "200", "51234") == [
        '"GET /api/v1/search?q=保单########&branch=GD HTTP/1.1" 200 51234'
    ]


def test_paths_and_sizes_keep_their_digits(caplog) -> None:
    line = "GET /api/v1/articles/KB-000051 HTTP/1.1"

    assert served(caplog, line, "200", "20480") == [f'"{line}" 200 20480']


@pytest.mark.parametrize("args", [(), None])
def test_a_record_without_arguments_passes_as_it_is(args) -> None:
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, "plain", args, None)
    assert MaskedRequestLines().filter(record) and record.getMessage() == "plain"
