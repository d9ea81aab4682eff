"""What readers asked: one row per search, suggest and answer call, for the knowledge team.

Invariants:
* no customer's personal data: every run of four or more digits in a query (policy, ID,
  card and phone numbers, also typed in groups, or in digits such as ① or ¹ that search
  reads as 1) is masked before it is kept
  (:func:`masked`), here and in feedback;
* a row's ``id`` is made when the call is answered and handed to the client as
  ``query_id``, so feedback (and the opening or copying of a result) joins to the query
  that found it even before the row is written (api.analytics writes rows in batches);
* a result opened or copied (:class:`ResultEvent`) joins its query by the same id;
* rows older than ``KMS_ANALYTICS_RETENTION_DAYS`` are pruned by a periodic task.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import ClassVar

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from api.models.feedback import QUERY_MAX_LENGTH
from content.models import Channel

TOP_KEYS = 5  # the first results kept with a query
# Four or more digits (full-width too), also as typed in groups: 138-1234-5678,
# 6222 0212 3456 7890, 12,345,678, 1、3、8、1, and with invisible characters between them
# (a zero-width space). Each group step takes a digit after at most three separators, so
# matching is linear. Numbers read out in Chinese numerals (一三八…, 幺 for 1, the
# financial 壹贰叁…) are masked too: four or more numerals in a row, as no wording of an
# insurance question has (十, 百, 两 count amounts).
_NUMERAL = r"\d零〇一二三四五六七八九幺壹贰叁肆伍陆柒捌玖"
_SEPARATOR = r"\s\-.,、，－—・·\u200b-\u200d\u2060\ufeff"
_DIGIT_RUN = re.compile(rf"[{_NUMERAL}](?:[{_SEPARATOR}]{{0,3}}[{_NUMERAL}]){{3,}}")
_DIGIT = re.compile(rf"[{_NUMERAL}]")


def _digit_like(char: str) -> bool:
    """Whether search reads `char` as digits: a decimal digit of any script, or one that
    the analysis's NFKC folding makes digits (①, ¹, ⑴, ⒈, ⑩)."""
    return char.isdigit() or unicodedata.normalize("NFKC", char).strip("().").isdigit()


def masked(text: str) -> str:
    """`text` with every digit (or Chinese numeral) of each run of four or more (see
    ``_DIGIT_RUN``) as #, a digit being any character search reads as one."""
    shadow = "".join("0" if _digit_like(char) else char for char in text)
    kept = list(text)
    for run in _DIGIT_RUN.finditer(shadow):
        for at in range(run.start(), run.end()):
            if _DIGIT.match(shadow, at):
                kept[at] = "#"
    return "".join(kept)


class QueryKind(models.TextChoices):
    SEARCH = "search", _("search")
    SUGGEST = "suggest", _("suggest")
    ANSWER = "answer", _("answer")


def missed(kind: str, result_count: int, answered: bool | None) -> bool:
    """Whether a call missed: a search or suggestion that found nothing, a question that
    got no answer."""
    return answered is False if kind == QueryKind.ANSWER else result_count == 0


class QueryLog(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=QueryKind.choices)
    query = models.CharField(_("query"), max_length=QUERY_MAX_LENGTH)
    branch_code = models.CharField(_("branch"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    key_name = models.CharField(_("API key"), max_length=100)
    result_count = models.PositiveIntegerField(_("results"))
    top_keys = models.JSONField(_("first results"), default=list)
    confidence = models.FloatField(_("answer confidence"), null=True)
    answered = models.BooleanField(_("answered"), null=True)  # answer calls only
    latency_ms = models.FloatField(_("latency (ms)"))
    created_at = models.DateTimeField(_("time"), db_index=True)
    # when the row reached the database, by the database's clock (api.analytics writes in
    # batches, later after an outage; web hosts' clocks may differ): what the rollup counts
    # by, so a late row is counted late, not never
    written_at = models.DateTimeField(_("written"), db_default=Now(), db_index=True)

    class Meta:
        verbose_name = _("logged query")
        verbose_name_plural = _("logged queries")
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list] = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.query}"

    @property
    def missed(self) -> bool:
        return missed(self.kind, self.result_count, self.answered)


class ResultAction(models.TextChoices):
    OPENED = "opened", _("opened")
    COPIED = "copied", _("copied")


class ResultEvent(models.Model):
    """A reader opened a result a logged query found, or copied its answer."""

    query_id = models.UUIDField(_("query id"), db_index=True)
    article_key = models.CharField(_("article key"), max_length=32, db_index=True)
    action = models.CharField(_("action"), max_length=8, choices=ResultAction.choices)
    branch_code = models.CharField(_("branch"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    key_name = models.CharField(_("API key"), max_length=100)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("result event")
        verbose_name_plural = _("result events")
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # each action once per result of a logged query (api.services.result_event_record)
            models.UniqueConstraint(
                fields=["query_id", "article_key", "action"], name="result_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.article_key}"


# A QueryDay row that counts every branch or every channel holds ALL there; one that counts
# every query holds EVERY_QUERY (no logged query is empty: the API refuses an empty q).
ALL = "*"
EVERY_QUERY = ""


class QueryDay(models.Model):
    """One local day's calls of one kind, the query log rolled up (api.rollup) for the
    cockpit to read instead of the log: per query, branch and channel, and the same
    summed over every branch (``branch_code == ALL``), every channel (``channel == ALL``)
    and every query (``query == EVERY_QUERY``), in each combination — so whatever the
    cockpit's filters, it reads one slice and sums nothing across branches."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=8, choices=QueryKind.choices)
    query = models.CharField(_("query"), max_length=QUERY_MAX_LENGTH, blank=True)
    branch_code = models.CharField(_("branch"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    calls = models.PositiveIntegerField(_("calls"))
    # calls that found nothing (search, suggest) or got no answer (answer)
    missed = models.PositiveIntegerField(_("missed"))

    class Meta:
        verbose_name = _("queries of a day")
        verbose_name_plural = _("queries of a day")
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["day", "kind", "branch_code", "channel", "query"], name="query_day_unique"
            )
        ]
        indexes: ClassVar[list] = [
            # a slice, by day; and within it the rows that missed, or were asked twice or more
            models.Index(fields=["kind", "branch_code", "channel", "day"], name="query_day_slice"),
            models.Index(
                fields=["kind", "branch_code", "channel", "missed", "day"], name="query_day_missed"
            ),
            models.Index(
                fields=["kind", "branch_code", "channel", "calls", "day"], name="query_day_calls"
            ),
            # one query's rows in a slice (the top's exact sums), or every query's
            # (EVERY_QUERY: the daily totals)
            models.Index(
                fields=["query", "kind", "branch_code", "channel", "day"], name="query_day_query"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.query} ×{self.calls}"


class QueryRollupMark(models.Model):
    """How far :class:`QueryDay` has counted the log (one row): every call written before
    ``through`` is counted — except, while a recount runs, in the days from
    ``recount_from`` on, which the recount counts whole, up to ``through``."""

    through = models.DateTimeField(_("counted through"))
    recount_from = models.DateField(_("recount from"), null=True, blank=True)

    class Meta:
        verbose_name = _("query rollup mark")

    def __str__(self) -> str:
        return f"counted through {self.through}"
