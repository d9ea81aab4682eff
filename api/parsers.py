"""Request body parsers of the API."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a document nested too deeply for Python's parser is
    bad JSON like any other (DRF lets its RecursionError through: a 500), and a number
    too long for Python is said so in the API's words, not Python's advice to raise
    ``sys.set_int_max_str_digits``; and a ``\\ud800`` escape (half a UTF-16 pair, which no
    UTF-8 text can hold) is refused here rather than failing later, when an error message
    quoting it is written out (a 500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            found = super().parse(stream, media_type, parser_context)
            json.dumps(found, ensure_ascii=False).encode("utf-8")
            return found
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - a \\u escape is half of a character") from None
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        except ParseError as error:
            if "int_max_str_digits" in str(error.detail):
                raise ParseError("JSON parse error - a number has too many digits") from None
            raise
