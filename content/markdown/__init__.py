"""Article bodies: one Markdown parse gives sections, safe HTML and plain text.

markdown-it-py with raw HTML off, tables, footnotes and front matter. One module a concept,
each stating the invariant it keeps (tests/content/test_markdown.py holds us to them):

* :mod:`~content.markdown.analysis` — the one parse, with ``{{ branch.x }}`` placeholders
  swapped for inert sentinels so variable values never reach the parser;
* :mod:`~content.markdown.sections` — ``##`` sections and their stable slugs;
* :mod:`~content.markdown.urls` — the URL allow-list and media embeds;
* :mod:`~content.markdown.rendering` — safe HTML for readers;
* :mod:`~content.markdown.plain` — plain text for bots, SMS and search;
* :mod:`~content.markdown.checks` — the problems an editor is shown.

Import from here: every public name is re-exported.
"""

from content.markdown.analysis import VARIABLE_RE, filled, variable_names
from content.markdown.checks import (
    Checked,
    Problem,
    check,
    find_checked,
    problems_of,
    unknown_variables,
    validate,
)
from content.markdown.plain import plain_text
from content.markdown.rendering import Rendered, render, render_with_variables
from content.markdown.sections import LEAD, Section, join_sections, parse_sections
from content.markdown.urls import EmbedResolver, has_embeds

__all__ = [
    "LEAD",
    "VARIABLE_RE",
    "Checked",
    "EmbedResolver",
    "Problem",
    "Rendered",
    "Section",
    "check",
    "filled",
    "find_checked",
    "has_embeds",
    "join_sections",
    "parse_sections",
    "plain_text",
    "problems_of",
    "render",
    "render_with_variables",
    "unknown_variables",
    "validate",
    "variable_names",
]
