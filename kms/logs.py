"""Logging filters of the project's log configuration (``settings.LOGGING``)."""

from __future__ import annotations

import logging
from urllib.parse import unquote


class MaskedRequestLines(logging.Filter):
    """The development server's request lines with their digit runs masked, as the query
    log keeps them: a policy or phone number typed into a search never reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(map(_masked_query, record.args))
        return True


def _masked_query(arg: object) -> object:
    """A request line's query string decoded and masked; anything else as it is (paths
    keep their article keys, sizes their digits)."""
    from api.models import masked  # logging is configured before the apps load

    if not isinstance(arg, str) or "?" not in arg:
        return arg
    path, query = arg.split("?", 1)
    return f"{path}?{masked(unquote(query))}"
