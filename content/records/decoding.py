"""One line of text to one JSON value, refusing what no record can hold.

Invariant: :func:`decode` never raises. It returns the decoded value only when every
string in it (keys too) can be stored on every database (see content.limits), no object
repeats a key, no number has more than ``MAX_NUMBER_DIGITS`` digits (Python refuses to
convert very long ones) and nothing nests deeper than ``MAX_DEPTH``; otherwise it returns
the problems, one per field and kind, named after the record's top-level field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from content.limits import shown, unstorable

MAX_DEPTH = 8  # the deepest record, an override's section changes, nests 3 levels
MAX_NUMBER_DIGITS = 100

FieldProblem = tuple[str | None, str]  # (top-level field or None, message)


@dataclass(frozen=True)
class _LongNumber:
    """Stands for an integer too long to convert."""

    digits: int


class _RepeatedKeys(dict):
    """An object in which some key appeared more than once (the last value wins)."""

    repeated: list[str]


def _number(text: str) -> int | _LongNumber:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_NUMBER_DIGITS else _LongNumber(digits)


def _object(pairs: list[tuple[str, object]]) -> dict:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    repeated = _RepeatedKeys(value)
    repeated.repeated, seen = [], set()
    for key, _ in pairs:
        if key in seen and key not in repeated.repeated:
            repeated.repeated.append(key)
        seen.add(key)
    return repeated


_DECODER = json.JSONDecoder(parse_int=_number, object_pairs_hook=_object)


def decode(line: str) -> tuple[object, list[FieldProblem]]:
    """The JSON value on `line`, or the problems that keep it from being a record."""
    try:
        value = _DECODER.decode(line)
    except json.JSONDecodeError as error:
        return None, [(None, f"not valid JSON ({error.msg} at column {error.colno})")]
    except RecursionError:
        return None, [(None, f"nested more than {MAX_DEPTH} levels deep")]
    if not isinstance(value, dict):
        return value, []  # the validators say what a record must be
    # A NUL or a surrogate can only be written as a \u escape (JSON refuses raw control
    # characters and UTF-8 has no surrogates; only a caller's own string could hold one):
    # most lines need no look at their strings.
    texts = "\\u" in line or unstorable(line) is not None
    problems: list[FieldProblem] = []
    if isinstance(value, _RepeatedKeys):
        problems += [(key, "given more than once in the record") for key in value.repeated]
    for key, item in value.items():
        if texts and (reason := unstorable(key)):
            problems.append((None, f"a field name {reason}"))
        elif isinstance(item, str):
            if texts and (reason := unstorable(item)):
                problems.append((key, reason))
        elif _container(item):
            problems += [(key, message) for message in _walk(item, texts=texts)]
    return value, problems


def _container(value: object) -> bool:
    return value is not None and not isinstance(value, str | bool | int | float)


def _walk(root: object, *, texts: bool) -> list[str]:
    """What is wrong inside one field's value (in its strings too when `texts`): each kind
    of problem once."""
    found: dict[str, None] = {}  # ordered set of messages
    stack: list[tuple[object, int]] = [(root, 2)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, _LongNumber):
            found.setdefault(f"a number with {value.digits:,} digits")
            continue
        if depth > MAX_DEPTH:
            found.setdefault(f"nested more than {MAX_DEPTH} levels deep")
            continue
        items: Iterable[object] = value
        if isinstance(value, dict):
            if isinstance(value, _RepeatedKeys):
                keys = ", ".join(shown(key) for key in value.repeated[:3])
                found.setdefault(f"key {keys} given more than once")
            items = [*value.values(), *value] if texts else value.values()
        for item in items:
            if isinstance(item, str):
                if texts and (reason := unstorable(item)):
                    found.setdefault(reason)
            elif _container(item):
                stack.append((item, depth + 1))
    return list(found)
