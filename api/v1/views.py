"""Views of the v1 read API: each validates its parameters, asks a selector, serializes.

Invariants:
* every view but ``health`` and the root needs a key with the view's ``required_scope``;
* whatever a reader cannot see — an article hidden in their branch, not for their channel
  or audience, not in effect — is a 404 indistinguishable from an unknown key;
* an article's ``ETag`` is its effective hash (per format): ``If-None-Match`` with it is a
  304 without a body.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import time
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import DatabaseError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from api import analytics, query_ids
from api.auth import BearerKeyAuthentication, HasScope
from api.errors import COMPACT, error_body
from api.models import QueryKind, Scope
from api.readers import (
    ParameterError,
    Reader,
    covered_branches,
    reader_branch,
    reader_of,
)
from api.services import feedback_record, result_event_record
from api.throttling import KeyRateThrottle
from api.v1 import serializers as out
from api.v1.representations import article_representation, change_page
from api.v1.serializers import represented, validated
from content import consumers
from content.models import (
    KEY_RE,
    Branch,
    BranchTree,
    Category,
    ChangeEvent,
    Product,
)
from content.selectors import (
    article_summaries,
    branch_tree,
    effective_article,
    published_articles,
)
from search import services as search_services
from search import vectors
from search.backends import engine
from search.backends.base import IndexUnavailable
from search.queries import Filters

CACHE_CONTROL = "private, no-cache"  # store, but ask again: edits are live in seconds
FEEDBACK_MAX_BYTES = 16 * 1024

_ERRORS = {
    400: OpenApiResponse(out.ErrorOut, description="A parameter or field is invalid."),
    401: OpenApiResponse(out.ErrorOut, description="No valid API key."),
    403: OpenApiResponse(out.ErrorOut, description="Outside the key's scopes or branches."),
    304: OpenApiResponse(description="Not modified: If-None-Match holds the current ETag."),
    404: OpenApiResponse(out.ErrorOut, description="Unknown, or not readable by this key."),
    411: OpenApiResponse(out.ErrorOut, description="A chunked body: send a Content-Length."),
    429: OpenApiResponse(out.ErrorOut, description="Too many requests; see Retry-After."),
    503: OpenApiResponse(out.ErrorOut, description="The search index is being rebuilt."),
}


def documented(params: type | None, ok: Any, *, codes: tuple[int, ...] = (), **extra: Any) -> Any:
    """extend_schema with the query parameters, the answer and the errors every keyed
    endpoint can give (400, 401, 403, 429) plus `codes`."""
    responses = {200: ok, **{code: _ERRORS[code] for code in (400, 401, 403, 429, *codes)}}
    described = [params] if params is not None and params().fields else None
    return extend_schema(parameters=described, responses=responses, **extra)


def created(body: type, answer: type) -> Any:
    """extend_schema for a POST that records: `body` in, `answer` out — 201 when new, 200
    when it repeats one recorded — or an error every keyed endpoint can give, or 411 for a
    body sent without its length."""
    errors = {code: _ERRORS[code] for code in (400, 401, 403, 411, 429)}
    return extend_schema(request=body, responses={201: answer, 200: answer, **errors})


class ApiView(APIView):
    """Every v1 view: answers in English (the admin's language is the editors' choice)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)


class KeyedView(ApiView):
    """A view for API clients: a Bearer key with ``required_scope``, throttled per key."""

    authentication_classes: ClassVar[list] = [BearerKeyAuthentication]
    permission_classes: ClassVar[list] = [HasScope]
    throttle_classes: ClassVar[list] = [KeyRateThrottle]
    required_scope: ClassVar[str] = Scope.READ

    def check_permissions(self, request: Request) -> None:
        # Counted before the scope is checked: a key refused for a scope spends its rate.
        super().check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        pass  # done in check_permissions, first

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])  # every answer depends on the key
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = CACHE_CONTROL
        return response

    def reader(self, request: Request, params: dict[str, Any], tree: BranchTree) -> Reader:
        return reader_of(
            request.auth, branch=params.get("branch"), channel=params.get("channel"), tree=tree
        )


class ApiRoot(ApiView):
    """Where a client starts: the API's version and links to its resources."""

    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "links": serializers.DictField(child=serializers.URLField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        validated(out.NoParams, request.query_params)
        names = (
            "health",
            "articles",
            "search",
            "suggest",
            "answer",
            "changes",
            "branches",
            "categories",
            "products",
        )
        links = {name: reverse(f"api:v1:{name}", request=request) for name in names}
        links["schema"] = reverse("api:v1:schema", request=request)
        links["docs"] = reverse("api:v1:docs", request=request)
        return Response({"name": "KMS knowledge API", "version": "v1", "links": links})


class Health(ApiView):
    """Whether the API can answer, how far the change log is and how far behind each
    consumer (the search index, webhooks, the cache purge) is, and whether the search
    index can be read (``search``: ``unavailable`` until ``kms_reindex`` rebuilt a
    missing or damaged one; ``unreachable``: Elasticsearch does not answer) and ranks by
    meaning (``meaning``: ``on``, ``off`` or ``unavailable``). No key needed."""

    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        responses={200: out.HealthOut, 503: out.HealthOut}, auth=[], operation_id="health"
    )
    def get(self, request: Request) -> Response:
        validated(out.NoParams, request.query_params)
        try:
            head = ChangeEvent.objects.aggregate(head=Max("seq"))["head"] or 0
            states = {
                state.name: {
                    "position": state.position,
                    "lag": state.lag,
                    "failures": state.failures,
                }
                for state in consumers.states()
            }
        except DatabaseError:
            body = {"status": "unavailable", "change_seq": 0, "consumers": {}}
            code = status.HTTP_503_SERVICE_UNAVAILABLE
        else:
            body = {"status": "ok", "change_seq": head, "consumers": states}
            code = status.HTTP_200_OK
        body.update(search=_search_state(), meaning=vectors.state())
        return Response(body, status=code)


def _search_state() -> str:
    try:
        return "ok" if engine().ready() else "unavailable"
    except ConnectionError:
        return "unreachable"


def _if_none_match(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


class ArticleDetail(KeyedView):
    """The effective article: HQ's text with the overrides of the reader's branch and its
    ancestors applied and the branch's variables filled in."""

    @documented(out.ArticleParams, out.ArticleOut, codes=(304, 404), operation_id="article")
    def get(self, request: Request, key: str) -> Response:
        params = validated(out.ArticleParams, request.query_params)
        reader = self.reader(request, params, branch_tree())
        found = None
        if KEY_RE.fullmatch(key):
            found = article_representation(key, branch=reader.branch, fmt=params["format"])
        if found is None or not reader.can_read(found["channels"], found["audience"]):
            raise exceptions.NotFound(f"no article {key} for this reader")
        etag = f'"{found["etag"]}.{found["format"]}"'
        headers = {"ETag": etag}
        if _if_none_match(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(found, headers=headers)


def _cursor_encode(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise ParameterError("cursor", "not a cursor this API gave out") from error
    if not isinstance(after, str) or not KEY_RE.fullmatch(after):
        raise ParameterError("cursor", "not a cursor this API gave out")
    return after


class ArticleList(KeyedView):
    """The articles a reader in the branch and channel can see, by key. Pages follow
    `next` as `cursor`: an article never moves between pages while editors publish."""

    @documented(out.ArticleListParams, out.ArticlePageOut, operation_id="articles")
    def get(self, request: Request) -> Response:
        params = validated(out.ArticleListParams, request.query_params)
        tree = branch_tree()
        reader = self.reader(request, params, tree)
        limit = params["limit"]
        rows = published_articles(
            channels=reader.channel_filter,
            audiences=reader.audiences,
            category=params.get("category"),
            product=params.get("product"),
            tag=params.get("tag"),
            updated_since=params.get("updated_since"),
            chain=tree.chain(reader.branch),
        )
        after = _cursor_decode(params["cursor"]) if "cursor" in params else None
        page: list = []
        while len(page) <= limit:  # hidden articles are dropped, so fill up in chunks
            chunk = list((rows.filter(key__gt=after) if after else rows)[: limit + 1])
            page += article_summaries(chunk, branch=reader.branch, tree=tree)
            if len(chunk) <= limit:
                break
            after = chunk[-1].key
        more = len(page) > limit
        page = page[:limit]
        items = represented(out.ArticleItemOut, page, many=True)
        cursor = _cursor_encode(page[-1].key) if more else None
        return Response({"results": items, "next": cursor})


class SearchUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "search_unavailable"
    default_detail = "the search index is not available; an operator must run manage.py kms_reindex"


class SearchView(KeyedView):
    """A view that asks the search index as the key's reader; a missing index is a 503."""

    required_scope = Scope.SEARCH

    def filters(self, request: Request, params: dict[str, Any], tree: BranchTree) -> Filters:
        reader = self.reader(request, params, tree)
        channels = reader.channel_filter
        return Filters(
            branch=reader.branch,
            audiences=tuple(reader.audiences),
            channels=tuple(sorted(channels)) if channels is not None else None,
            category=params.get("category"),
            product=params.get("product"),
            tag=params.get("tag"),
        )

    def logged(
        self,
        request: Request,
        kind: QueryKind,
        params: dict[str, Any],
        filters: Filters,
        started: float,
        *,
        count: int,
        keys: list[str],
        **answered: Any,
    ) -> uuid.UUID:
        """Log the call in the query log (api.analytics); the id the client joins by."""
        return analytics.record(
            kind,
            query_id=query_ids.issue(request.auth.pk),
            query=params["q"],
            branch=filters.branch,
            channel=params.get("channel"),
            key_name=request.auth.name,
            result_count=count,
            top_keys=keys,
            latency_ms=(time.perf_counter() - started) * 1000,
            **answered,
        )

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, IndexUnavailable):
            exc = SearchUnavailable(f"{exc}; an operator must run manage.py kms_reindex")
        return super().handle_exception(exc)


class Search(SearchView):
    """Ranked articles for a query, as the reader's branch reads them: each article at most
    once (its variant for the branch), with a highlighted snippet; best bets first."""

    @documented(out.SearchParams, out.SearchPageOut, codes=(503,), operation_id="search")
    def get(self, request: Request) -> Response:
        started = time.perf_counter()
        params = validated(out.SearchParams, request.query_params)
        tree = branch_tree()
        filters = self.filters(request, params, tree)
        page = search_services.search(
            params["q"], filters, limit=params["limit"], offset=params["offset"], tree=tree
        )
        logged = self.logged(
            request,
            QueryKind.SEARCH,
            params,
            filters,
            started,
            count=page.count,
            keys=[result.key for result in page.results],
        )
        return Response(represented(out.SearchPageOut, {**vars(page), "query_id": logged}))


class Suggest(SearchView):
    """As-you-type completions: titles and similar questions starting with what was typed,
    or whose pinyin initials do (lp → 理赔…)."""

    @documented(out.SuggestParams, out.SuggestionsOut, codes=(503,), operation_id="suggest")
    def get(self, request: Request) -> Response:
        started = time.perf_counter()
        params = validated(out.SuggestParams, request.query_params)
        filters = self.filters(request, params, branch_tree())
        found = search_services.suggest(params["q"], filters, limit=params["limit"])
        keys = list(dict.fromkeys(suggestion.key for suggestion in found))
        logged = self.logged(
            request, QueryKind.SUGGEST, params, filters, started, count=len(found), keys=keys
        )
        return Response(represented(out.SuggestionsOut, {"suggestions": found, "query_id": logged}))


class AnswerView(SearchView):
    """The one best answer, or null when no article answers confidently enough; close
    runners-up as alternatives."""

    @documented(out.AnswerParams, out.AnswerOut, codes=(503,), operation_id="answer")
    def get(self, request: Request) -> Response:
        started = time.perf_counter()
        params = validated(out.AnswerParams, request.query_params)
        tree = branch_tree()
        filters = self.filters(request, params, tree)
        found = search_services.answer(params["q"], filters, tree=tree)
        offered = [found.answer] if found.answer else []
        keys = [candidate.key for candidate in [*offered, *found.alternatives]]
        logged = self.logged(
            request,
            QueryKind.ANSWER,
            params,
            filters,
            started,
            count=len(keys),
            keys=keys,
            confidence=found.confidence,
            answered=found.answer is not None,
        )
        return Response(represented(out.AnswerOut, {**vars(found), "query_id": logged}))


class ChangeFeed(KeyedView):
    """The change log from `since`, in order; with `branch` (or a key limited to branches)
    only the events affecting it; never the events of articles the key may not read (an
    internal one, one of other channels). Resume from `next` after any outage."""

    required_scope = Scope.CHANGES
    SCAN = 20  # pages' worth of events looked at for one filtered page

    @documented(out.ChangeParams, out.ChangePageOut, operation_id="changes")
    def get(self, request: Request) -> HttpResponse:
        params = validated(out.ChangeParams, request.query_params)
        tree = branch_tree()
        limit, since = params["limit"], params["since"]
        wanted = self._branches(request, params.get("branch"), tree)
        reader = Reader(
            branch="",
            channel=None,
            channels=frozenset(request.auth.channels) if request.auth.channels else None,
            audiences=request.auth.audiences,
        )
        page = change_page(
            since, limit=limit, branches=wanted, scan=limit * self.SCAN, reader=reader
        )
        return HttpResponse(page, content_type="application/json")

    @staticmethod
    def _branches(request: Request, branch: str | None, tree: BranchTree) -> set[str] | None:
        """The branches whose events are wanted (None: every event)."""
        key = request.auth
        if branch is not None:
            return {reader_branch(key, branch, tree)}
        return covered_branches(key, tree)


class BranchTreeView(KeyedView):
    """Every branch, as a tree from HQ, with the variables its readers' text is filled from
    (for a key limited to branches: of those branches and their ancestors only)."""

    @documented(None, out.BranchOut(many=True), operation_id="branches")
    def get(self, request: Request) -> Response:
        validated(out.NoParams, request.query_params)
        tree = branch_tree()
        covered = covered_branches(request.auth, tree)
        shown = None if covered is None else {up for code in covered for up in tree.chain(code)}
        rows = Branch.objects.order_by("path").values("pk", "code", "name", "variables", "parent")

        def node(row: dict[str, Any]) -> dict[str, Any]:
            variables = (row["variables"] or {}) if shown is None or row["code"] in shown else {}
            return {"code": row["code"], "name": row["name"], "variables": variables}

        return Response(_tree(list(rows), node))


class CategoryTreeView(KeyedView):
    """The business taxonomy as a tree; filter articles with `category=<path>`."""

    @documented(None, out.CategoryOut(many=True), operation_id="categories")
    def get(self, request: Request) -> Response:
        validated(out.NoParams, request.query_params)
        rows = list(Category.objects.order_by("path").values("pk", "path", "name", "parent"))
        return Response(_tree(rows, lambda row: {"path": row["path"], "name": row["name"]}))


class ProductList(KeyedView):
    """Every product with its line and sale status; filter articles with `product=<code>`."""

    @documented(None, out.ProductOut(many=True), operation_id="products")
    def get(self, request: Request) -> Response:
        validated(out.NoParams, request.query_params)
        products = Product.objects.order_by("code")
        return Response(represented(out.ProductOut, products, many=True))


def _tree(rows: list[dict[str, Any]], node: Any) -> list[dict[str, Any]]:
    """Nested ``node(row) + children`` from rows with ``pk`` and ``parent``, in row order."""
    nodes = {row["pk"]: {**node(row), "children": []} for row in rows}
    roots = []
    for row in rows:
        parent = nodes.get(row["parent"])
        (parent["children"] if parent else roots).append(nodes[row["pk"]])
    return roots


def _content_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_code = "length_required"
    default_detail = "send the body with a Content-Length header (chunked bodies are not read)"


def _chunked_without_length(request: Request) -> bool:
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked and not request.META.get("CONTENT_LENGTH")


class ReaderPost(KeyedView):
    """A reader's report about one article they may read (in their branch and channel):
    its `body` validated, then :meth:`record`-ed and answered with `answer`: 201 when it
    is new, 200 when it repeats (or replaces) one recorded for the same result of a query."""

    required_scope = Scope.FEEDBACK
    body: ClassVar[type[serializers.Serializer]]
    answer: ClassVar[type[serializers.Serializer]]

    def post(self, request: Request) -> Response:
        reader, key, data = self.article_body(request)
        stored, new = self.record(request, reader, key, data)
        done = status.HTTP_201_CREATED if new else status.HTTP_200_OK
        return Response(self.answer(stored).data, status=done)

    def record(
        self, request: Request, reader: Reader, key: str, data: dict[str, Any]
    ) -> tuple[Any, bool]:
        """Store the report; it and whether it is new."""
        raise NotImplementedError

    def article_body(self, request: Request) -> tuple[Reader, str, dict[str, Any]]:
        """The reader, the article's key and the validated body; a 400 for an article the
        reader cannot read, as for one that does not exist."""
        validated(out.NoParams, request.query_params)
        if _chunked_without_length(request):
            raise LengthRequired
        if _content_length(request) > FEEDBACK_MAX_BYTES:
            raise exceptions.ValidationError({"body": [f"at most {FEEDBACK_MAX_BYTES} bytes"]})
        body = self.body(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("query_id") and not query_ids.issued_to(data["query_id"], request.auth.pk):
            raise exceptions.ValidationError(
                {"query_id": ["not the query_id of a call made with this API key"]}
            )
        tree = branch_tree()
        try:
            reader = self.reader(request, data, tree)
        except ParameterError as error:  # the branch or channel came in the body
            raise exceptions.ValidationError(error.detail) from error
        article = effective_article(
            data["key"],
            branch=reader.branch,
            channel=reader.channel,
            audiences=reader.audiences,
            tree=tree,
        )
        if article is None or not reader.can_read(article.channels, article.audience):
            raise exceptions.ValidationError({"key": [f"no article {data['key']} for this reader"]})
        return reader, article.key, data


@extend_schema_view(post=created(out.FeedbackIn, out.FeedbackOut))
class FeedbackCreate(ReaderPost):
    """A reader's verdict on an article (helpful or not), with the query that found it."""

    body = out.FeedbackIn
    answer = out.FeedbackOut

    def record(
        self, request: Request, reader: Reader, key: str, data: dict[str, Any]
    ) -> tuple[Any, bool]:
        return feedback_record(
            key=request.auth,
            article_key=key,
            helpful=data["helpful"],
            branch=reader.branch,
            channel=reader.channel,
            query=data["query"],
            comment=data["comment"],
            query_id=data["query_id"],
        )


@extend_schema_view(post=created(out.ResultEventIn, out.ResultEventOut))
class ResultEventCreate(ReaderPost):
    """A reader opened a result of a search, suggest or answer call, or copied its answer:
    joined to the call by its query_id in the knowledge team's analytics."""

    body = out.ResultEventIn
    answer = out.ResultEventOut

    def record(
        self, request: Request, reader: Reader, key: str, data: dict[str, Any]
    ) -> tuple[Any, bool]:
        return result_event_record(
            key=request.auth,
            article_key=key,
            action=data["action"],
            branch=reader.branch,
            channel=reader.channel,
            query_id=data["query_id"],
        )


def takes_no_parameters(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the schema and docs views (drf-spectacular's, which render their own formats):
    any query parameter is a JSON 400, as on every other endpoint."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET:
            details = {
                name: ["unknown parameter (this endpoint takes none)"] for name in request.GET
            }
            body = error_body(
                400,
                f"invalid query parameters: {', '.join(details)}",
                details,
                code="invalid_parameters",
            )
            return JsonResponse(body, status=400, json_dumps_params=COMPACT)
        return view(request, *args, **kwargs)

    return checked
