"""The cockpit's admin pages: the dashboard (and each table as CSV), and the two clicks
that turn a question readers did not find into knowledge.

Invariants:
* who sees what: superusers and holders of ``api.view_querylog`` (the knowledge team) see
  every branch and the pipeline; a branch editor or reviewer sees the readers of the
  branches they work on, nothing else; anyone else is refused;
* a filter is validated like any admin form (its errors are shown, the page still
  renders with the defaults);
* CSV cells never start a spreadsheet formula (readers typed those queries).
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from api.cockpit import charts, tables
from api.cockpit.tables import Scope, Table
from content import services
from content.actors import Actor
from content.limits import QUESTION_MAX_LENGTH
from content.models import KEY_RE, Category, Channel, KnowledgeArticle
from content.models.roles import Role
from content.permissions import branches_user_can
from content.selectors import AUDIENCES, branch_tree
from content.services import knowledge_index
from search import services as search
from search.backends.base import IndexUnavailable
from search.queries import Filters

DEFAULT_DAYS = 30
MAX_DAYS = 366
EARLIEST = dt.date(2000, 1, 1)  # no query log is older; dates beyond overflow datetime
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def last_days(end: dt.date) -> tuple[dt.date, dt.date]:
    """The default range: the ``DEFAULT_DAYS`` days up to `end`."""
    return end - dt.timedelta(days=DEFAULT_DAYS - 1), end


def viewer_branches(user: Any) -> frozenset[str] | None:
    """The branches `user` may see readers of: None for every branch (the knowledge
    team); PermissionDenied for someone who works on none."""
    if user.is_superuser or user.has_perm("api.view_querylog"):
        return None
    codes = branches_user_can(user, Role.EDITOR)
    if not codes:
        raise PermissionDenied(_("The cockpit is for the knowledge team and branch editors."))
    return frozenset(codes)


class CockpitFilters(forms.Form):
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def __init__(self, *args: Any, branches: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("every branch")), *[(c, c) for c in branches]]
        self.fields["channel"].choices = [("", _("every channel")), *Channel.choices]

    def clean(self) -> dict[str, Any]:
        found = super().clean()
        today = timezone.localdate()
        latest = today + dt.timedelta(days=MAX_DAYS)
        given = [day for day in (found.get("start"), found.get("end")) if day]
        if any(not EARLIEST <= day <= latest for day in given):
            raise ValidationError(
                _("Dates from %(earliest)s to a year from today.") % {"earliest": EARLIEST}
            )
        end = found.get("end") or today
        start = found.get("start") or last_days(end)[0]
        if start > end:
            raise ValidationError(_("“From” must not be after “To”."))
        if (end - start).days >= MAX_DAYS:
            raise ValidationError(_("At most %(days)s days at a time.") % {"days": MAX_DAYS})
        found["start"], found["end"] = start, end
        return found


def _scope(request: HttpRequest) -> tuple[Scope, CockpitFilters, bool]:
    """What the request asks to see, its filter form, and whether the viewer is the
    knowledge team (every branch)."""
    allowed = viewer_branches(request.user)
    tree = branch_tree()
    choices = tree.codes if allowed is None else sorted(allowed & set(tree.codes))
    form = CockpitFilters(request.GET or None, branches=choices)
    scope = Scope(*last_days(timezone.localdate()), allowed)
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["branch"]
        branches = allowed
        if chosen:
            below = frozenset(tree.subtree(chosen))
            branches = below if allowed is None else below & allowed
            if allowed is None and below >= set(tree.codes):
                branches = None  # the head office and below: the every-branch figures
        scope = Scope(
            form.cleaned_data["start"],
            form.cleaned_data["end"],
            branches,
            form.cleaned_data["channel"] or None,
        )
    return scope, form, allowed is None


# Every table the dashboard shows, by the name its CSV export takes, in the page's order;
# the last two are the head office's own figures (the knowledge base's, the pipeline's).
TABLES: dict[str, Callable[[Scope], Table]] = {
    "daily": tables.daily,
    "top-queries": tables.top_queries,
    "zero-results": tables.zero_result_queries,
    "unanswered": tables.unanswered_questions,
    "least-helpful": tables.least_helpful,
    "overrides": tables.overrides_by_branch,
    "recent": tables.recent_queries,
    "review": tables.due_for_review,
    "pipeline": tables.pipeline,
}
HEAD_OFFICE_ONLY = {"review", "pipeline"}


def _shown(*, team: bool) -> list[str]:
    """The names of the tables the knowledge team, or a branch's editor, sees."""
    return [name for name in TABLES if team or name not in HEAD_OFFICE_ONLY]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(table: Table, scope: Scope) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"kms-{table.name}-{scope.start}-{scope.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheet programs then read the Chinese as UTF-8
    writer = csv.writer(response)
    writer.writerow([str(column) for column in table.columns])
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    return response


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    scope, form, team = _scope(request)
    wanted = request.GET.get("csv")
    if wanted:
        if wanted not in _shown(team=team):
            raise Http404(_("No table named %(name)s.") % {"name": wanted})
        return _csv(TABLES[wanted](scope), scope)
    shown = [TABLES[name](scope) for name in _shown(team=team)]
    writer = knowledge_index().permissions_for_user(request.user).can_add_subpage()
    daily = shown[0]
    days = [row[0] for row in daily.rows]
    query = request.GET.copy()
    query.pop("csv", None)
    return TemplateResponse(
        request,
        "api/cockpit/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "tables": shown,
            "query": query.urlencode(),
            "searches_chart": charts.bars(
                _("Searches by day"), days, [r[1] or 0 for r in daily.rows]
            ),
            "rates_chart": charts.shares(
                _("Zero-result and no-answer rates by day"),
                days,
                [
                    (_("zero-result rate"), [row[2] for row in daily.rows]),
                    (_("no-answer rate"), [row[4] for row in daily.rows]),
                ],
            ),
            # writing knowledge is for those who may add articles (Wagtail's page rights)
            "categories": Category.objects.order_by("path") if writer else [],
            "can_write": writer,
        },
    )


def _question(request: HttpRequest) -> str | None:
    """The question a request is about, or None when it is empty, longer than a similar
    question may be, or holds control characters."""
    question = " ".join(request.POST.get("q", request.GET.get("q", "")).split())
    if not question or len(question) > QUESTION_MAX_LENGTH:
        return None
    if any(unicodedata.category(character) == "Cc" for character in question):
        return None
    return question


def _bad_question() -> HttpResponse:
    return HttpResponseBadRequest(
        _("A question of 1 to %(most)s characters is needed.") % {"most": QUESTION_MAX_LENGTH}
    )


@require_POST
def draft_from_question(request: HttpRequest) -> HttpResponse:
    """One click: a draft article asking a question readers did not find."""
    question = _question(request)
    if question is None:
        return _bad_question()
    chosen = request.POST.get("category", "")
    category = Category.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if category is None:
        messages.error(request, _("Choose the new article's category."))
        return redirect("kms_cockpit")
    try:
        article, created = services.article_draft_for_question(
            question, category=category, actor=Actor.editor(request.user)
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("kms_cockpit")
    if created:
        messages.success(
            request, _("Draft “%(title)s” created: write its answer.") % {"title": question}
        )
    else:
        messages.warning(
            request,
            _("%(key)s already asks “%(title)s”: here it is.")
            % {"key": article.key, "title": question},
        )
    return redirect("wagtailadmin_pages:edit", article.pk)


@require_safe
def question_target(request: HttpRequest) -> HttpResponse:
    """The articles a question could belong to, as the head office's staff find them (for
    `find`, the question itself unless the editor searches other words), each with a
    button that adds the question to it."""
    viewer_branches(request.user)
    question = _question(request)
    if question is None:
        return _bad_question()
    wanted = " ".join(request.GET.get("find", "").split())[:255] or question
    tree = branch_tree()
    try:
        page = search.search(wanted, Filters(tree.root or "", AUDIENCES), limit=10, tree=tree)
    except IndexUnavailable:
        messages.error(request, _("The search index is being rebuilt: try again in a minute."))
        return redirect("kms_cockpit")
    keys = [result.key for result in page.results]
    found = {article.key: article for article in KnowledgeArticle.objects.filter(key__in=keys)}
    return TemplateResponse(
        request,
        "api/cockpit/question_target.html",
        {
            "question": question,
            "find": wanted,
            "articles": [found[key] for key in keys if key in found],
        },
    )


@require_POST
def question_add(request: HttpRequest, key: str) -> HttpResponse:
    """Second click: the question becomes a similar question of the article, as a draft."""
    question = _question(request)
    if question is None:
        return _bad_question()
    if not KEY_RE.fullmatch(key):
        raise Http404(_("No article %(key)s.") % {"key": key})
    try:
        article, added = services.article_question_add(
            key, question, actor=Actor.editor(request.user)
        )
    except KnowledgeArticle.DoesNotExist as error:
        raise Http404(_("No article %(key)s.") % {"key": key}) from error
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(reverse("kms_cockpit_question") + "?" + urlencode({"q": question}))
    if added:
        messages.success(
            request,
            _("“%(question)s” added to %(key)s as a draft: publish it to let readers find it.")
            % {"question": question, "key": key},
        )
    else:
        messages.warning(
            request, _("%(key)s already asks “%(question)s”.") % {"question": question, "key": key}
        )
    return redirect("wagtailadmin_pages:edit", article.pk)
