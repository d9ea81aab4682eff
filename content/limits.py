"""How much of anything a knowledge base accepts: one set of numbers for every way in.

Invariant: the import validators (content.records) and the model fields editors fill in
the admin enforce the same limits, and every text that passes them can be stored on every
supported database — no NUL character and no lone surrogate, which PostgreSQL refuses
and SQLite would keep — so an export from one database always loads into another. The
limits sit far above any real content (a median article body is ~800 characters) and
exist to keep parsing time and memory bounded.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SUMMARY_MAX_LENGTH = 500
QUESTION_MAX_LENGTH = 200  # one similar question
QUESTIONS_MAX_COUNT = 50
# similar questions are stored one a line
QUESTIONS_TEXT_MAX_LENGTH = QUESTIONS_MAX_COUNT * (QUESTION_MAX_LENGTH + 1)
TAG_MAX_LENGTH = 100  # taggit's column
TAGS_MAX_COUNT = 30
PRODUCTS_MAX_COUNT = 50  # on one article
PRODUCT_CODE_MAX_LENGTH = 40
# Format patterns match a whole string (\A…\Z): with ^…$ a trailing newline would pass,
# and "KB-1\n" would be a second article next to KB-1.
PRODUCT_CODE_RE = re.compile(r"\A[A-Z0-9][A-Z0-9-]*\Z")
NOTE_MAX_LENGTH = 2_000  # an override's branch note
SECTION_BODY_MAX_LENGTH = 10_000  # the text one override operation adds
SECTIONS_MAX_COUNT = 50  # operations in one override
SECTION_SLUG_MAX_LENGTH = 120
SECTION_SLUG_RE = re.compile(r"\A[\w-]+\Z")  # what content.markdown.sections.slugify makes
VARIABLE_NAME_MAX_LENGTH = 40
VARIABLE_VALUE_MAX_LENGTH = 500
VARIABLES_MAX_COUNT = 50  # on one branch
CATEGORY_SEGMENT_MAX_LENGTH = 60
CATEGORY_PATH_MAX_LENGTH = 255
# The most kms_import reads from one file or stream. Every line is validated before any
# applies, so memory grows with the file (a 150 MB export of 50,000 articles validates in
# ~600 MB): the cap stops a file far larger than memory before it is exhausted.
IMPORT_MAX_BYTES = 1024**3

# What str.splitlines() splits on: a similar question or a variable value that held one
# would come back as two after a round trip through the admin's one-a-line fields.
LINE_BREAK_RE = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# A category's part of a path: no "/", no line break, no space at either end (an import
# strips those, so a path with them would not survive a round trip).
CATEGORY_SEGMENT_RE = re.compile("\\A(?!\\s)[^/\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+(?<!\\s)\\Z")
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored on every database, or None when it can."""
    match = _UNSTORABLE_RE.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "contains a NUL character (\\u0000), which databases do not store"
    return f"contains a lone surrogate (\\u{ord(match.group()):04x}), which is not text"


def validate_questions(value: str) -> None:
    """Model validator for similar questions: one a line, bounded count and length."""
    questions = [q.strip() for q in value.splitlines() if q.strip()]
    if len(questions) > QUESTIONS_MAX_COUNT:
        raise ValidationError(
            _("At most %(max)d similar questions (got %(count)d)."),
            params={"max": QUESTIONS_MAX_COUNT, "count": len(questions)},
        )
    for question in questions:
        if len(question) > QUESTION_MAX_LENGTH:
            raise ValidationError(
                _("At most %(max)d characters a question: %(start)s…"),
                params={"max": QUESTION_MAX_LENGTH, "start": question[:20]},
            )


def variables_problems(variables: dict) -> list[str]:
    """Everything wrong with a branch's variables beyond their names' spelling."""
    problems: list[str] = []
    if len(variables) > VARIABLES_MAX_COUNT:
        return [f"at most {VARIABLES_MAX_COUNT} variables (got {len(variables)})"]
    for name, value in variables.items():
        if len(name) > VARIABLE_NAME_MAX_LENGTH:
            problems.append(
                f"{shown(name)}: names have at most {VARIABLE_NAME_MAX_LENGTH} characters"
            )
        if not isinstance(value, str):
            continue
        if len(value) > VARIABLE_VALUE_MAX_LENGTH:
            problems.append(
                f"{shown(name)}: at most {VARIABLE_VALUE_MAX_LENGTH} characters (got {len(value)})"
            )
        elif LINE_BREAK_RE.search(value):
            problems.append(f"{shown(name)}: a value is one line")
    return problems


def shown(value: object, width: int = 40) -> str:
    """`value` as a message may quote it: its repr, cut after about `width` characters."""
    if isinstance(value, str) and len(value) > width:
        return f"{value[:width]!r}…"
    text = repr(value)
    return text if len(text) <= width + 2 else f"{text[:width]}…"
