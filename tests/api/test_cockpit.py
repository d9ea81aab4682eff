"""The knowledge team's cockpit: the daily rollup, each table with data and filters, CSV,
branch roles, and turning a question readers did not find into knowledge."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from api import analytics, rollup
from api.cockpit import tables
from api.models import Feedback, QueryDay, QueryLog, QueryRollupMark
from api.models.analytics import ALL, EVERY_QUERY
from api.services import query_log_prune
from content import consumers
from content.locks import single_run
from content.models import BranchRole, Category, Channel, KnowledgeArticle
from search import indexing
from tests.api.conftest import CLAIMS, HIDDEN_IN_SC

pytestmark = pytest.mark.django_db

COCKPIT = "/admin/kms/cockpit/"
MINUTE = dt.timedelta(minutes=1)


def logged(
    query: str,
    branch: str = "GD",
    *,
    kind: str = "search",
    found: int = 3,
    answered: bool | None = None,
    days_ago: int = 0,
    channel: str = "agent",
    later: dt.timedelta = dt.timedelta(),
) -> QueryLog:
    return QueryLog.objects.create(
        kind=kind,
        query=query,
        branch_code=branch,
        channel=channel,
        key_name="desk",
        result_count=found,
        top_keys=[CLAIMS] if found else [],
        answered=answered,
        latency_ms=4.0,
        created_at=timezone.now() - dt.timedelta(days=days_ago) + later,
        written_at=timezone.now() - dt.timedelta(days=days_ago) + later,
    )


@pytest.fixture
def queries(kb) -> None:
    """Guangdong asked 理赔材料 three times and 孕妇险 (found nothing) twice; Sichuan asked
    退保 once, on the counter; a bot asked the weather, which got no answer."""
    for _ in range(3):
        logged("理赔材料")
    logged("孕妇险", found=0)
    logged("孕妇险", found=0, days_ago=1)
    logged("退保", "SC", channel="counter")
    logged("今天天气怎么样", "HQ", kind="answer", found=0, answered=False, channel="bot")
    logged("理赔", kind="suggest")
    recount()


def recount(days: int = 3) -> int | None:
    """Recount the last `days` days as if a minute had passed (the rollup counts calls
    logged ``rollup.LAG`` ago and earlier)."""
    return rollup.query_days_recount(days, now=timezone.now() + MINUTE)


@pytest.fixture
def team(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("lead", "lead@example.com", "pw"))
    return client


@pytest.fixture
def gd_editor(kb, client: Client) -> Client:
    user = User.objects.create_user("gd", "gd@example.com", "pw")
    user.groups.add(Group.objects.get(name="分公司用户"))
    BranchRole.objects.create(user=user, branch=kb["GD"], role="editor")
    client.force_login(user)
    return client


def rows(client: Client, table: str, **params: str) -> list[list[str]]:
    response = client.get(COCKPIT, {**params, "csv": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_the_rollup_counts_calls_and_misses_per_day_and_is_repeatable(queries) -> None:
    today = timezone.localdate()
    found = {
        (row.day, row.kind, row.query): (row.calls, row.missed)
        for row in QueryDay.objects.filter(branch_code=ALL, channel=ALL)
    }
    by_branch = QueryDay.objects.filter(query=EVERY_QUERY, channel=ALL, day=today)
    assert {row.branch_code: row.calls for row in by_branch.filter(kind="search")} == {
        "GD": 4, "SC": 1, ALL: 5,
    }  # fmt: skip

    assert found[(today, "search", "理赔材料")] == (3, 0)
    assert found[(today, "search", "孕妇险")] == (1, 1)
    assert found[(today - dt.timedelta(days=1), "search", "孕妇险")] == (1, 1)
    assert found[(today, "answer", "今天天气怎么样")] == (1, 1)
    before = QueryDay.objects.count()
    assert recount() == 8  # every call of the three days, suggestions too
    assert QueryDay.objects.count() == before
    assert QueryDay.objects.count() == before


def test_counting_each_minute_adds_up_to_a_recount(kb) -> None:
    logged("理赔材料", days_ago=1)
    logged("孕妇险", found=0)
    first = timezone.now() + MINUTE
    assert rollup.query_log_count(now=first) == 2  # the first run counts every day
    after_mark = first - rollup.LAG + dt.timedelta(seconds=1) - timezone.now()
    logged("理赔材料", later=after_mark)
    logged("今天天气怎么样", "HQ", kind="answer", found=0, answered=False, later=after_mark)

    assert rollup.query_log_count(now=first + MINUTE) == 2
    assert rollup.query_log_count(now=first + MINUTE) == 0  # each call counted once

    def every_row() -> list[tuple]:
        return sorted(QueryDay.objects.values_list("day", "kind", "branch_code", "channel",
                                                   "query", "calls", "missed"))  # fmt: skip

    counted = every_row()
    rollup.query_days_recount(3, now=first + MINUTE)
    assert every_row() == counted
    asked = [row[5] for row in counted if row[4] == "理赔材料" and row[2] == ALL == row[3]]
    assert sorted(asked) == [1, 1]  # yesterday's and today's


def test_a_rollup_waits_for_the_one_running(queries) -> None:
    with single_run(rollup.LOCK, timeout=60):
        assert recount() is None
        assert rollup.query_log_count() is None


def test_the_team_sees_every_table_with_its_figures(queries, team: Client) -> None:
    Feedback.objects.create(article_key=CLAIMS, helpful=False, branch_code="GD")
    Feedback.objects.create(article_key=CLAIMS, helpful=True, branch_code="GD")

    page = team.get(COCKPIT)

    assert page.status_code == 200
    html = page.content.decode()
    for table in ("top-queries", "zero-results", "pipeline", "review", "recent"):
        assert f'id="kms-{table}"' in html
    assert "<svg" in html
    assert ["理赔材料", "3", "0"] in rows(team, "top-queries")
    assert ["孕妇险", "2", str(timezone.localdate())] in rows(team, "zero-results")
    assert rows(team, "unanswered")[0][:2] == ["今天天气怎么样", "1"]
    title = KnowledgeArticle.objects.get(key=CLAIMS).title
    assert rows(team, "least-helpful")[0][:5] == [CLAIMS, title, "1", "1", "0.5"]
    today = rows(team, "daily")[-1]
    assert today[:3] == [str(timezone.localdate()), "5", "0.2"]  # 1 of 5 searches today
    assert today[3:] == ["1", "1.0"]


def test_filters_narrow_by_branch_channel_and_days(queries, team: Client) -> None:
    assert [row[0] for row in rows(team, "top-queries", branch="SC")] == ["退保"]
    assert [row[0] for row in rows(team, "top-queries", channel="counter")] == ["退保"]
    yesterday = str(timezone.localdate() - dt.timedelta(days=1))
    assert rows(team, "top-queries", start=yesterday, end=yesterday) == [["孕妇险", "1", "1"]]
    # a branch covers the branches below it
    logged("犹豫期", "GD-SZ")
    recount()
    assert "犹豫期" in [row[0] for row in rows(team, "top-queries", branch="GD")]


def test_bad_filters_are_form_errors_and_the_page_still_shows(queries, team: Client) -> None:
    page = team.get(COCKPIT, {"start": "2026-12-10", "end": "2026-12-01", "branch": "XX"})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="alert"' in html  # from after to
    assert 'class="error-message"' in html  # no branch XX
    assert "理赔材料" in html  # the defaults' figures
    assert team.get(COCKPIT, {"csv": "nothing"}).status_code == 404


def test_a_branch_editor_sees_only_the_readers_of_their_branches(
    queries, gd_editor: Client
) -> None:
    page = gd_editor.get(COCKPIT)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="kms-pipeline"' not in html
    assert 'id="kms-review"' not in html
    assert "退保" not in html  # Sichuan's
    assert "今天天气怎么样" not in html  # the head office's
    assert {row[0] for row in rows(gd_editor, "top-queries")} == {"理赔材料", "孕妇险"}
    assert rows(gd_editor, "top-queries", branch="SC") == rows(gd_editor, "top-queries")
    assert gd_editor.get(COCKPIT, {"csv": "pipeline"}).status_code == 404
    recent = rows(gd_editor, "recent")
    assert recent and {row[3] for row in recent} == {"GD"}


def test_someone_without_a_branch_role_is_refused(kb, client: Client) -> None:
    user = User.objects.create_user("visitor", "v@example.com", "pw")
    user.groups.add(Group.objects.get(name="分公司用户"))
    client.force_login(user)

    assert client.get(COCKPIT).status_code in (302, 403)
    assert client.get(COCKPIT, {"csv": "top-queries"}).status_code in (302, 403)


def test_csv_cells_never_start_a_formula(kb, team: Client) -> None:
    logged('=HYPERLINK("http://evil")', found=0)
    recount()

    assert rows(team, "zero-results")[0][0] == '\'=HYPERLINK("http://evil")'


def test_the_latest_queries_show_what_readers_did_and_said(kb, team: Client, settings) -> None:
    asked = logged("理赔材料")
    Feedback.objects.create(article_key=CLAIMS, helpful=True, branch_code="GD", query_id=asked.id)

    latest = rows(team, "recent")[0]

    with translation.override(settings.LANGUAGE_CODE):
        agent = str(Channel.AGENT.label)
    assert latest[2:7] == ["理赔材料", "GD", agent, "3", CLAIMS]
    with translation.override(settings.LANGUAGE_CODE):
        assert latest[8] == translation.gettext("helpful")


def test_pruning_takes_the_rollup_with_the_log(kb, settings) -> None:
    logged("退保", days_ago=100)
    recount(days=101)
    assert QueryDay.objects.exists()

    query_log_prune()

    assert not QueryDay.objects.exists()


def test_a_zero_result_query_becomes_a_draft_in_one_click(queries, team: Client) -> None:
    category = Category.objects.first()

    response = team.post(reverse("kms_cockpit_draft"), {"q": "孕妇险", "category": category.pk})

    draft = KnowledgeArticle.objects.get(title="孕妇险")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[draft.pk])
    assert not draft.live and draft.category == category
    again = team.post(reverse("kms_cockpit_draft"), {"q": "孕妇险", "category": category.pk})
    assert again.url == response.url  # the draft that asks it already, not a second one
    assert KnowledgeArticle.objects.filter(title="孕妇险").count() == 1
    refused = team.post(reverse("kms_cockpit_draft"), {"q": "孕妇险"})
    assert refused.status_code == 302 and refused.url == reverse("kms_cockpit")


def test_a_question_joins_an_article_as_a_draft_in_two_clicks(queries, team: Client) -> None:
    article = KnowledgeArticle.objects.get(key=HIDDEN_IN_SC)
    live_questions = article.similar_questions
    consumers.drain(indexing.NAME)

    choices = team.get(reverse("kms_cockpit_question"), {"q": "异地看病怎么备案"})
    assert HIDDEN_IN_SC in choices.content.decode()
    other_words = team.get(
        reverse("kms_cockpit_question"), {"q": "异地看病怎么备案", "find": "理赔"}
    )
    assert CLAIMS in other_words.content.decode()
    added = team.post(
        reverse("kms_cockpit_question_add", args=[HIDDEN_IN_SC]), {"q": "异地看病怎么备案"}
    )
    team.post(reverse("kms_cockpit_question_add", args=[HIDDEN_IN_SC]), {"q": "异地看病怎么备案"})

    assert added.status_code == 302
    article.refresh_from_db()
    assert article.similar_questions == live_questions  # readers see no change yet
    draft = article.get_latest_revision_as_object()
    assert draft.similar_questions.splitlines().count("异地看病怎么备案") == 1
    assert article.has_unpublished_changes


def test_a_branch_editor_cannot_draft_articles(queries, gd_editor: Client) -> None:
    category = Category.objects.first()

    response = gd_editor.post(
        reverse("kms_cockpit_draft"), {"q": "孕妇险", "category": category.pk}
    )

    assert response.status_code in (302, 403)
    assert not KnowledgeArticle.objects.filter(title="孕妇险").exists()


def test_the_question_page_says_so_while_the_index_is_missing(queries, team: Client) -> None:
    response = team.get(reverse("kms_cockpit_question"), {"q": "孕妇险"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("kms_cockpit")


def test_the_top_of_a_long_tail_is_exact(kb, monkeypatch) -> None:
    """Whether the top is found from the queries asked twice a day or by summing them
    all, it is the top a full count gives."""
    import random

    rng = random.Random(3)  # noqa: S311 - test data, not secrets
    start = timezone.localdate() - dt.timedelta(days=9)
    rows = {}
    for day in range(10):
        for n in range(60):
            query = f"q{min(int(rng.paretovariate(1.2)), 40)}-{rng.randrange(3) if n % 2 else 0}"
            key = (start + dt.timedelta(days=day), query)
            rows[key] = rows.get(key, 0) + 1
    QueryDay.objects.bulk_create(
        QueryDay(day=d, kind="search", query=q, branch_code=ALL, channel=ALL, calls=c, missed=c)
        for (d, q), c in rows.items()
    )
    totals: dict[str, int] = {}
    for (_, query), calls in rows.items():
        totals[query] = totals.get(query, 0) + calls
    scope = tables.Scope(start, timezone.localdate())
    summed = []
    per_query = tables._per_query
    monkeypatch.setattr(tables, "_per_query", lambda rows: summed.append(rows) or per_query(rows))
    paths = set()
    configurations = [(3, 5, (2,)), (5, 2, (2,)), (3, 12, (2,)), (8, 100, (2,)), (3, 12, (8, 2))]
    for top, candidates, heavy in configurations:
        monkeypatch.setattr(tables, "TOP", top)
        monkeypatch.setattr(tables, "CANDIDATES", candidates)
        monkeypatch.setattr(tables, "HEAVY", heavy)
        expected = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:top]
        summed.clear()
        found = [
            (row["query"], row["calls"]) for row in tables._ranked(scope, ("search",), "calls")
        ]
        assert found == expected
        paths.add((heavy, len(summed)))  # 2 sums: the candidates sufficed; 3: all were summed
    assert {((2,), 2), ((2,), 3)} <= paths


def test_a_query_that_just_found_nothing_is_offered_before_any_rollup(kb, team: Client) -> None:
    logged("孕妇险", found=0)
    logged("理赔材料")

    html = team.get(COCKPIT).content.decode()

    assert 'name="q" value="孕妇险"' in html
    assert 'name="q" value="理赔材料"' not in html


def test_a_call_written_late_is_counted_late_not_never(kb) -> None:
    start = timezone.now() + MINUTE
    rollup.query_log_count(now=start)  # the first count: nothing yet
    made = logged("退保")  # made now, but written only after an outage, past the mark
    QueryLog.objects.filter(pk=made.pk).update(written_at=start + MINUTE)

    assert rollup.query_log_count(now=start + 3 * MINUTE) == 1

    counted = QueryDay.objects.get(query="退保", branch_code=ALL, channel=ALL)
    assert (counted.day, counted.calls) == (timezone.localdate(made.created_at), 1)


def test_a_recount_stopped_midway_is_taken_up_by_the_next_run(queries) -> None:
    mark = QueryRollupMark.objects.get()
    QueryRollupMark.objects.update(recount_from=mark.through.date() - dt.timedelta(days=1))
    QueryDay.objects.all().delete()  # what the stopped recount had not redone yet

    assert rollup.query_log_count(now=timezone.now() + 2 * MINUTE) == 8  # both days
    assert QueryRollupMark.objects.get().recount_from is None
    assert QueryDay.objects.get(query="理赔材料", branch_code=ALL, channel=ALL).calls == 3


@pytest.mark.parametrize(
    "dates",
    [
        {"end": "0001-01-05"},
        {"start": "9999-12-30", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-02"},
    ],
)
def test_dates_out_of_range_are_form_errors(queries, team: Client, dates: dict) -> None:
    page = team.get(COCKPIT, dates)
    csv_export = team.get(COCKPIT, {**dates, "csv": "recent"})

    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()
    assert csv_export.status_code == 200  # the defaults' rows


def test_the_head_office_as_a_branch_is_every_branch(queries, team: Client) -> None:
    assert rows(team, "top-queries", branch="HQ") == rows(team, "top-queries")


def test_bad_questions_categories_and_keys_are_refused_plainly(queries, team: Client) -> None:
    draft = reverse("kms_cockpit_draft")

    assert team.post(draft, {"q": "孕妇险", "category": "abc"}).url == reverse("kms_cockpit")
    assert team.post(draft, {"q": "孕妇\x00险", "category": "1"}).status_code == 400
    assert team.post(draft, {"q": "问" * 201, "category": "1"}).status_code == 400
    assert team.get(reverse("kms_cockpit_question"), {"q": ""}).status_code == 400
    add = reverse("kms_cockpit_question_add", args=["KB-0\x00"])
    assert team.post(add, {"q": "孕妇险"}).status_code == 404
    assert not KnowledgeArticle.objects.filter(title__contains="孕妇").exists()


def test_a_refused_question_does_not_put_the_form_token_in_a_url(queries, team: Client) -> None:
    full = "\n".join(f"问法{n}" for n in range(50))  # as many similar questions as allowed
    KnowledgeArticle.objects.filter(key=CLAIMS).update(similar_questions=full)
    article = KnowledgeArticle.objects.get(key=CLAIMS)
    article.save_revision()

    response = team.post(
        reverse("kms_cockpit_question_add", args=[CLAIMS]),
        {"q": "孕妇险", "csrfmiddlewaretoken": "secret-token"},
    )

    assert response.status_code == 302
    assert "secret-token" not in response.url and "q=" in response.url


def test_a_branch_editor_is_not_offered_what_only_the_head_office_may_do(
    kb, gd_editor: Client
) -> None:
    logged("孕妇险", found=0)

    html = gd_editor.get(COCKPIT).content.decode()

    assert reverse("kms_cockpit_draft") not in html
    assert reverse("kms_cockpit_question") not in html


def test_the_database_stamps_when_a_logged_call_was_written(kb) -> None:
    analytics.record(
        "search", query="退保", branch="GD", channel="agent", key_name="desk",
        result_count=2, top_keys=[CLAIMS], latency_ms=3.0,
    )  # fmt: skip
    analytics.flush()

    row = QueryLog.objects.get(query="退保")
    assert abs(row.written_at - row.created_at) < dt.timedelta(seconds=5)
    assert rollup.query_log_count(now=timezone.now() + MINUTE) == 1


def test_the_team_is_offered_drafts_only_where_it_may_add_articles(kb, client: Client) -> None:
    from django.contrib.auth.models import Permission

    analyst = User.objects.create_user("analyst", "a@example.com", "pw")
    analyst.groups.add(Group.objects.get(name="分公司用户"))  # admin access, no page rights
    analyst.user_permissions.add(Permission.objects.get(codename="view_querylog"))
    client.force_login(analyst)
    logged("孕妇险", found=0)

    html = client.get(COCKPIT).content.decode()

    assert 'id="kms-pipeline"' in html  # the team's own tables
    assert reverse("kms_cockpit_draft") not in html
