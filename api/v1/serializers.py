"""What v1 accepts (query parameters, bodies) and what it answers, as DRF serializers.

Invariants:
* every query parameter a view reads is a field of its ``Params`` serializer; a parameter
  it does not declare, one given twice, or one given empty is a 400 naming it
  (:func:`validated`);
* the output serializers are the schema clients see (drf-spectacular reads them) and the
  only shape responses take.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from api.errors import InvalidParameters
from api.models.analytics import ResultAction
from api.models.feedback import COMMENT_MAX_LENGTH, QUERY_MAX_LENGTH
from content.models import KEY_RE, Audience, Channel, ProductLine, SaleStatus
from content.models.changelog import Action

BRANCH_CODE_MAX_LENGTH = 32
SEQ_MAX = 2**63 - 1  # a change-log seq is a 64-bit integer
FORMATS = ("html", "markdown", "text")


@functools.cache
def _names(params: type[serializers.Serializer]) -> tuple[str, ...]:
    """The parameters `params` declares (a serializer copies its fields when made)."""
    return tuple(params().fields)


def validated(params: type[serializers.Serializer], query: QueryDict) -> dict[str, Any]:
    """The query parameters checked against `params`; a 400 listing every problem."""
    known = _names(params)
    errors: dict[str, list[str]] = {}
    for name in sorted(set(query) - set(known)):
        errors[name] = [f"unknown parameter (this endpoint takes {', '.join(known) or 'none'})"]
    for name in sorted(set(query) & set(known)):
        if len(query.getlist(name)) > 1:
            errors[name] = ["given more than once"]
    data = {name: value for name, value in query.items() if name in known}
    serializer = params(data=data)
    if not serializer.is_valid():
        errors.update(
            {name: [str(m) for m in messages] for name, messages in serializer.errors.items()}
        )
    if errors:
        raise InvalidParameters(errors)
    return dict(serializer.validated_data)


@functools.cache
def _shaper(serializer: type[serializers.Serializer]) -> serializers.Serializer:
    return serializer()


def represented(
    serializer: type[serializers.Serializer], instance: Any, *, many: bool = False
) -> Any:
    """`instance` as `serializer` shows it (with `many`, each item of it). One serializer of
    each class does it for every request: making one copies all its fields, which costs
    more than the answer, and ``to_representation`` keeps no state between calls."""
    shaper = _shaper(serializer)
    if many:
        return [shaper.to_representation(item) for item in instance]
    return shaper.to_representation(instance)


class ReaderParams(serializers.Serializer):
    """Whose view: a branch (see api.readers for the default) and a channel."""

    branch = serializers.CharField(required=False, max_length=BRANCH_CODE_MAX_LENGTH)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class ArticleParams(ReaderParams):
    format = serializers.ChoiceField(choices=FORMATS, default="html")


class Whole(serializers.IntegerField):
    """An integer parameter written in ASCII digits (an optional minus sign): Python's int()
    would also take ５, ٥, +5, " 5" and 1_0."""

    default_error_messages = {"invalid": "A whole number written in the digits 0-9 is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not _WHOLE.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


_WHOLE = re.compile(r"-?[0-9]+")


class ArticleListParams(ReaderParams):
    category = serializers.CharField(required=False, max_length=255)
    product = serializers.CharField(required=False, max_length=40)
    tag = serializers.CharField(required=False, max_length=100)
    updated_since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False, max_length=200)
    limit = Whole(required=False, default=50, min_value=1, max_value=200)


QUERY_TEXT_MAX_LENGTH = 200


class SearchParams(ReaderParams):
    q = serializers.CharField(max_length=QUERY_TEXT_MAX_LENGTH, help_text="What the reader asks.")
    category = serializers.CharField(
        required=False, max_length=255, help_text="A category path; includes its sub-categories."
    )
    product = serializers.CharField(required=False, max_length=40, help_text="A product code.")
    tag = serializers.CharField(required=False, max_length=100)
    limit = Whole(required=False, default=10, min_value=1, max_value=50)
    offset = Whole(required=False, default=0, min_value=0, max_value=1000)


class SuggestParams(ReaderParams):
    q = serializers.CharField(
        max_length=50, help_text="What has been typed: characters, or pinyin initials (lp)."
    )
    limit = Whole(required=False, default=8, min_value=1, max_value=20)


class AnswerParams(ReaderParams):
    q = serializers.CharField(max_length=QUERY_TEXT_MAX_LENGTH, help_text="A customer's question.")


class ChangeParams(serializers.Serializer):
    since = Whole(required=False, default=0, min_value=0, max_value=SEQ_MAX)
    branch = serializers.CharField(required=False, max_length=BRANCH_CODE_MAX_LENGTH)
    limit = Whole(required=False, default=100, min_value=1, max_value=1000)


class NoParams(serializers.Serializer):
    pass


# --- bodies -----------------------------------------------------------------------------


class _JsonTyped:
    """A body field that takes only its own JSON type (``json_type``): DRF alone would
    turn 51 into "51", "yes" or 1 into true, and a number into a UUID."""

    json_type: type

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, self.json_type) or (
            self.json_type is not bool and isinstance(data, bool)
        ):
            self.fail("invalid", value=data)  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class JsonString(_JsonTyped, serializers.CharField):
    json_type = str


class JsonKey(_JsonTyped, serializers.RegexField):
    json_type = str


class JsonBoolean(_JsonTyped, serializers.BooleanField):
    json_type = bool


class QueryId(_JsonTyped, serializers.UUIDField):
    """A ``query_id`` as the API gave it: a UUID string."""

    json_type = str


QUERY_ID_HELP = (
    "The query_id of the search, suggest or answer call, made with this API key, that found "
    "the article."
)


class ReaderBody(serializers.Serializer):
    """A body about one article as a reader read it: a field it does not declare is a 400."""

    key = JsonKey(KEY_RE, max_length=32)
    branch = JsonString(required=False, max_length=BRANCH_CODE_MAX_LENGTH)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)

    def to_internal_value(self, data: Any) -> Any:
        """The fields' own checks, and every field the body has but this does not declare:
        all their errors at once."""
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: ["unknown field"] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, dict):
                raise
            raise serializers.ValidationError({**error.detail, **errors}) from error
        if errors:
            raise serializers.ValidationError(errors)
        return value


class FeedbackIn(ReaderBody):
    helpful = JsonBoolean()
    query = JsonString(required=False, allow_blank=True, max_length=QUERY_MAX_LENGTH, default="")
    comment = JsonString(
        required=False, allow_blank=True, max_length=COMMENT_MAX_LENGTH, default=""
    )
    query_id = QueryId(required=False, allow_null=True, default=None, help_text=QUERY_ID_HELP)


class ResultEventIn(ReaderBody):
    query_id = QueryId(help_text=QUERY_ID_HELP)
    action = serializers.ChoiceField(
        choices=ResultAction.choices, help_text="opened: the reader opened it; copied: copied it."
    )


class FeedbackOut(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ResultEventOut(FeedbackOut):
    pass


# --- answers ----------------------------------------------------------------------------


class SectionOut(serializers.Serializer):
    slug = serializers.CharField(help_text="Stable key of the section: its ## heading text.")
    heading = serializers.CharField(help_text="Empty for the text before the first heading.")
    content = serializers.CharField(help_text="The section's text in the format asked for.")


class ArticleOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(help_text="The short answer, variables filled.")
    format = serializers.ChoiceField(choices=FORMATS)
    body = serializers.CharField(help_text="The whole answer in `format`.")
    sections = SectionOut(many=True)
    questions = serializers.ListField(child=serializers.CharField())
    category = serializers.CharField()
    products = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    audience = serializers.ChoiceField(choices=Audience.choices)
    branch = serializers.CharField(help_text="Whose version this is.")
    overrides = serializers.ListField(
        child=serializers.CharField(),
        help_text="Branches whose overrides shaped this version, top down.",
    )
    stale = serializers.BooleanField(help_text="An applied override is stale against HQ.")
    revision = serializers.IntegerField(help_text="HQ's live revision.")
    updated_at = serializers.DateTimeField()
    effective_from = serializers.DateField(allow_null=True)
    effective_to = serializers.DateField(allow_null=True)
    etag = serializers.CharField()


class ArticleItemOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    category = serializers.CharField()
    products = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    updated_at = serializers.DateTimeField()
    etag = serializers.CharField()


class ArticlePageOut(serializers.Serializer):
    results = ArticleItemOut(many=True)
    next = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null on the last."
    )


class ChangeOut(serializers.Serializer):
    seq = serializers.IntegerField()
    key = serializers.CharField(help_text="Empty for a branch-wide event.")
    action = serializers.ChoiceField(choices=Action.choices)
    branches = serializers.ListField(child=serializers.CharField())
    revision = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()


class ChangePageOut(serializers.Serializer):
    changes = ChangeOut(many=True)
    next = serializers.IntegerField(
        help_text="Pass as `since` next time. It may move past events of other branches "
        "even when `changes` is empty: call again until it stops moving."
    )


class BranchOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    variables = serializers.DictField(child=serializers.CharField())
    children = serializers.ListField(child=serializers.DictField(), help_text="Branches.")


class CategoryOut(serializers.Serializer):
    path = serializers.CharField()
    name = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Categories.")


class ProductOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    line = serializers.ChoiceField(choices=ProductLine.choices)
    status = serializers.ChoiceField(choices=SaleStatus.choices)


class SearchResultOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(help_text="The reader's branch's summary, variables filled.")
    snippet = serializers.CharField(
        help_text="HTML-escaped text of the reader's variant, query words in <mark>."
    )
    category = serializers.CharField()
    score = serializers.FloatField()
    promoted = serializers.BooleanField(help_text="A best bet the knowledge team pinned.")


class SearchPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    results = SearchResultOut(many=True)
    facets = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Counts of all matches per category, product and tag (each named like "
        "the parameter that filters by it; the 20 commonest of each). A category counts its "
        "sub-categories' matches too, as its filter finds them.",
    )
    took_ms = serializers.FloatField()
    query_id = serializers.UUIDField(
        help_text="This call in the query log: send it back with feedback on a result."
    )


class SuggestionOut(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField(help_text="A title or similar question to complete with.")


class SuggestionsOut(serializers.Serializer):
    suggestions = SuggestionOut(many=True)
    query_id = serializers.UUIDField(
        help_text="This call in the query log: send it back with feedback on a result."
    )


class CandidateOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    text = serializers.CharField(help_text="The whole answer as plain text, variables filled.")
    confidence = serializers.FloatField()


class AnswerOut(serializers.Serializer):
    answer = CandidateOut(allow_null=True, help_text="Null: no article answers this well enough.")
    confidence = serializers.FloatField(help_text="0 to 1; the answer is null below the threshold.")
    alternatives = CandidateOut(many=True, help_text="Close runners-up: ask 'did you mean…'.")
    query_id = serializers.UUIDField(
        help_text="This call in the query log: send it back with feedback on a result."
    )


class ConsumerOut(serializers.Serializer):
    position = serializers.IntegerField()
    lag = serializers.IntegerField()
    failures = serializers.IntegerField()


class HealthOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "unavailable"])
    change_seq = serializers.IntegerField()
    consumers = serializers.DictField(child=ConsumerOut())
    search = serializers.ChoiceField(
        choices=["ok", "unavailable", "unreachable"],
        help_text="Whether the search index can be read (unavailable: run kms_reindex).",
    )
    meaning = serializers.ChoiceField(
        choices=["on", "off", "unavailable"],
        help_text=(
            "Whether search ranks by meaning as well as words (off: KMS_SEARCH_SEMANTIC is "
            "false; unavailable: the bundled sentence model cannot run on this machine)."
        ),
    )


class ErrorDetailOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField(
        help_text="For a 400: each parameter or field, with what is wrong with it."
    )


class ErrorOut(serializers.Serializer):
    error = ErrorDetailOut()
