"""What the cockpit shows, as tables: each one a selector over the rolled-up query log
(:class:`api.models.QueryDay`), feedback, the knowledge base or the publishing pipeline.

Invariants:
* every figure about readers is limited to the viewer's :class:`Scope` (branches, channel,
  local days); a branch editor's scope never reaches beyond the branches they work on;
* query figures come from the daily rollup, never from a scan of the log: their cost
  grows with days × distinct queries, not with calls (the recent-queries table reads
  the newest rows of the log by its time index only);
* a table is plain data (:class:`Table`): the page and its CSV export show the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import (
    Feedback,
    QueryDay,
    QueryKind,
    QueryLog,
    ResultAction,
    ResultEvent,
)
from api.models.analytics import ALL, EVERY_QUERY
from api.rollup import day_bounds
from api.selectors import subscriptions_counted
from content import consumers
from content.models import KnowledgeArticle
from content.selectors import stale_overrides

TOP = 20
RECENT = 30
EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Scope:
    """What one viewer asked to see: local days `start`…`end`, readers of `branches`
    (None: every branch) on `channel` (None: every channel)."""

    start: dt.date
    end: dt.date
    branches: frozenset[str] | None = None
    channel: str | None = None

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(n) for n in range((self.end - self.start).days + 1)]

    def readers(self) -> Q:
        """Rows (``branch_code``, ``channel``) about readers in this scope's branches and
        channel."""
        found = Q()
        if self.branches is not None:
            found &= Q(branch_code__in=sorted(self.branches))
        if self.channel:
            found &= Q(channel=self.channel)
        return found

    def between(self, name: str) -> Q:
        """Rows whose datetime `name` falls on this scope's days."""
        return Q(
            **{f"{name}__gte": day_bounds(self.start)[0], f"{name}__lt": day_bounds(self.end)[1]}
        )


@dataclass(frozen=True)
class Table:
    name: str  # the CSV export's name
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    note: str = ""
    # per row, a question readers did not find that the page offers to turn into
    # knowledge (None: nothing to offer); the CSV export leaves it out
    offers: list[str | None] | None = None

    @property
    def lines(self) -> list[tuple[tuple, str | None]]:
        return list(zip(self.rows, self.offers or [None] * len(self.rows), strict=True))


def _slice(scope: Scope, *kinds: str) -> QuerySet[QueryDay]:
    """The rolled-up rows of `kinds` that count exactly this scope's readers: the rows
    summed over every branch (or channel) unless the scope names some."""
    found = QueryDay.objects.filter(kind__in=kinds, day__gte=scope.start, day__lte=scope.end)
    if scope.branches is None:
        found = found.filter(branch_code=ALL)
    else:
        found = found.filter(branch_code__in=sorted(scope.branches))
    return found.filter(channel=scope.channel or ALL)


def daily(scope: Scope) -> Table:
    """Per day: searches and the share that found nothing, questions and the share that
    got no answer."""
    totals = {
        (row["day"], row["kind"]): (row["calls"], row["missed"])
        for row in _slice(scope, QueryKind.SEARCH, QueryKind.ANSWER)
        .filter(query=EVERY_QUERY)
        .order_by()
        .values("day", "kind")
        .annotate(calls=Sum("calls"), missed=Sum("missed"))
    }
    rows = []
    for day in scope.days:
        searches, empty = totals.get((day, QueryKind.SEARCH), (0, 0))
        asked, unanswered = totals.get((day, QueryKind.ANSWER), (0, 0))
        rows.append((day, searches, _share(empty, searches), asked, _share(unanswered, asked)))
    return Table(
        "daily",
        _("Searches and questions by day"),
        (_("day"), _("searches"), _("zero-result rate"), _("questions"), _("no-answer rate")),
        rows,
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


CANDIDATES = 100
HEAVY = (8, 2)  # the day counts that make a query a candidate, tried in this order


def _per_query(rows: QuerySet[QueryDay]) -> QuerySet:
    return (
        rows.order_by()
        .values("query")
        .annotate(calls=Sum("calls"), missed=Sum("missed"), last=Max("day"))
    )


def _ranked(scope: Scope, kinds: tuple[str, ...], by: str) -> list[dict]:
    """The ``TOP`` queries of `kinds` in `scope` by their sum of `by` ("calls" or
    "missed"), exactly, without summing every query of the range.

    Most logged queries are asked once or twice. The queries with a row (a day, in one
    branch, of one kind) of `by` ≥ h are candidates, ``CANDIDATES`` of them at most by
    that part; any other query adds less than h a row, so at most h − 1 per day, branch
    and kind in all. The candidates are summed in full; if the last of the top still beats
    what any other query could reach, the top is exact. Otherwise a lower h is tried, and
    at last every query is summed (a short range or a quiet branch: few rows anyway)."""
    rows = _slice(scope, *kinds).exclude(query=EVERY_QUERY)
    if by == "missed":
        rows = rows.filter(missed__gt=0)
    branches = 1 if scope.branches is None else len(scope.branches)
    rows_a_query = len(scope.days) * branches * len(kinds)
    for heavy_from in HEAVY:
        heavy = list(
            _per_query(rows.filter(**{f"{by}__gte": heavy_from})).order_by(f"-{by}")[:CANDIDATES]
        )
        exact = list(_per_query(rows.filter(query__in=[row["query"] for row in heavy])))
        top = sorted(exact, key=lambda row: (-row[by], row["query"]))[:TOP]
        beyond = heavy[-1][by] if len(heavy) == CANDIDATES else 0
        if len(top) == TOP and top[-1][by] > beyond + (heavy_from - 1) * rows_a_query:
            return top
    return list(_per_query(rows).order_by(f"-{by}", "query")[:TOP])


def top_queries(scope: Scope) -> Table:
    rows = [
        (row["query"], row["calls"], row["missed"])
        for row in _ranked(scope, (QueryKind.SEARCH, QueryKind.ANSWER), "calls")
    ]
    return Table(
        "top-queries", _("Top queries"), (_("query"), _("calls"), _("found nothing")), rows
    )


def _misses(scope: Scope, kind: str, name: str, title: str, asked: str, note: str = "") -> Table:
    """The questions of `kind` that missed most often, each offered to become knowledge."""
    rows = [(row["query"], row["missed"], row["last"]) for row in _ranked(scope, (kind,), "missed")]
    return Table(
        name, title, (asked, _("times"), _("last asked")), rows, note, [row[0] for row in rows]
    )


def zero_result_queries(scope: Scope) -> Table:
    return _misses(
        scope,
        QueryKind.SEARCH,
        "zero-results",
        _("Searches that found nothing"),
        _("query"),
        _("Turn one into a draft article, or add it as a similar question of an article."),
    )


def unanswered_questions(scope: Scope) -> Table:
    return _misses(
        scope, QueryKind.ANSWER, "unanswered", _("Questions with no answer"), _("question")
    )


def _titles(keys: list[str]) -> dict[str, str]:
    return dict(KnowledgeArticle.objects.filter(key__in=keys).values_list("key", "title"))


def least_helpful(scope: Scope) -> Table:
    """Articles readers called unhelpful most often, in this scope."""
    verdicts = list(
        Feedback.objects.filter(scope.readers(), scope.between("created_at"))
        .values("article_key")
        .annotate(
            unhelpful=Count("id", filter=Q(helpful=False)),
            helpful=Count("id", filter=Q(helpful=True)),
        )
        .filter(unhelpful__gt=0)
        .order_by("-unhelpful", "helpful", "article_key")[:TOP]
    )
    titles = _titles([row["article_key"] for row in verdicts])
    rows = [
        (
            row["article_key"],
            titles.get(row["article_key"], ""),
            row["unhelpful"],
            row["helpful"],
            _share(row["helpful"], row["helpful"] + row["unhelpful"]),
        )
        for row in verdicts
    ]
    return Table(
        "least-helpful",
        _("Least helpful articles"),
        (_("key"), _("title"), _("not helpful"), _("helpful"), _("helpful share")),
        rows,
    )


def due_for_review(scope: Scope, *, today: dt.date | None = None) -> Table:
    """Live articles past their review date, or whose effect or publication ends within
    ``EXPIRING_DAYS`` days."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    ends_soon = Q(effective_to__gte=today, effective_to__lte=soon) | Q(
        expire_at__gte=timezone.now(), expire_at__lt=day_bounds(soon)[1]
    )
    articles = (
        KnowledgeArticle.objects.live()
        .filter(Q(review_due__lte=today) | ends_soon)
        .select_related("owner")
        .order_by(F("review_due").asc(nulls_last=True), "key")[:200]
    )
    rows = [
        (
            article.key,
            article.title,
            article.owner.get_username() if article.owner else "",
            article.review_due,
            min(
                (day for day in (article.effective_to, _date(article.expire_at)) if day),
                default=None,
            ),
        )
        for article in articles
    ]
    return Table(
        "review",
        _("Due for review or ending soon"),
        (_("key"), _("title"), _("owner"), _("review due"), _("ends")),
        rows,
    )


def _date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def overrides_by_branch(scope: Scope) -> Table:
    """Per branch: overrides whose HQ text changed under them, or whose section HQ removed."""
    stale: Counter[str] = Counter()
    orphaned: Counter[str] = Counter()
    names: dict[str, str] = {}
    flagged = stale_overrides(scope.branches).values_list(
        "branch__code", "branch__name", "stale_parts", "orphaned_sections"
    )
    for code, name, parts, sections in flagged:
        names[code] = name
        stale[code] += bool(parts)
        orphaned[code] += bool(sections)
    rows = [(code, names[code], stale[code], orphaned[code]) for code in sorted(names)]
    return Table(
        "overrides",
        _("Stale and orphaned overrides"),
        (_("branch"), _("name"), _("stale"), _("orphaned")),
        rows,
    )


def pipeline(scope: Scope) -> Table:
    """Now, whatever the scope's days: each change-log consumer's lag and failed attempts,
    and each webhook subscription's status, deliveries being retried and dead letters."""
    states = consumers.states()
    rows: list[tuple] = [
        (_("consumer"), state.name, state.lag, state.failures, "") for state in states
    ]
    rows += [
        (_("webhook"), sub.name, sub.get_status_display(), sub.retrying, sub.dead)
        for sub in subscriptions_counted()
    ]
    head = states[0].head if states else 0
    return Table(
        "pipeline",
        _("Publishing pipeline"),
        (_("part"), _("name"), _("lag (events) / status"), _("retrying"), _("dead letters")),
        rows,
        _("Change log at event %(seq)s.") % {"seq": head},
    )


def recent_queries(scope: Scope) -> Table:
    """The newest logged calls (suggestions aside) with what the reader did with them."""
    logged = list(
        QueryLog.objects.filter(scope.readers(), scope.between("created_at"))
        .exclude(kind=QueryKind.SUGGEST)
        .order_by("-created_at")[:RECENT]
    )
    ids = [row.id for row in logged]
    verdicts = {
        row["query_id"]: row["helpful"]
        for row in Feedback.objects.filter(query_id__in=ids).values("query_id", "helpful")
    }
    done: dict = {}
    for event in ResultEvent.objects.filter(query_id__in=ids).values("query_id", "action"):
        done.setdefault(event["query_id"], set()).add(event["action"])
    rows = [
        (
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            row.get_kind_display(),
            row.query,
            row.branch_code,
            row.get_channel_display(),
            row.result_count,
            (row.top_keys or [""])[0],
            "、".join(str(ResultAction(action).label) for action in sorted(done.get(row.id, ()))),
            {True: _("helpful"), False: _("not helpful")}.get(verdicts.get(row.id), ""),
        )
        for row in logged
    ]
    return Table(
        "recent",
        _("Latest queries"),
        (
            _("time"),
            _("kind"),
            _("query"),
            _("branch"),
            _("channel"),
            _("results"),
            _("first result"),
            _("reader"),
            _("feedback"),
        ),
        rows,
        offers=[row.query if row.missed else None for row in logged],
    )
