"""Every error under /api/ is JSON: ``{"error": {"code", "message", "details"}}``.

Invariants:
* DRF's exceptions become that body with their status (and ``WWW-Authenticate`` on a 401,
  ``Retry-After`` on a 429); a 400 names each parameter or field and what is wrong;
* whatever else goes wrong under /api/ — an unknown path, an exception in a view, an error
  page Django itself renders (a disallowed host, a request too big) — the client still
  gets that JSON shape, never an HTML page and never a traceback; a crash is logged with
  its traceback on the server and answered as a bare 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Exceptions Django turns into a 4xx itself: too many fields, a disallowed host, a body
# too big, a refused permission, an unknown path.
DJANGO_ANSWERS = (SuspiciousOperation, BadRequest, DjangoPermissionDenied, Http404)
COMPACT = {"separators": (",", ":"), "ensure_ascii": False}  # as DRF renders

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def error_body(status_code: int, message: str, details: Any = None, code: str = "") -> dict:
    return {
        "error": {
            "code": code or _CODES.get(status_code, "error"),
            "message": message,
            "details": details if details is not None else {},
        }
    }


def _flatten(detail: Any) -> Any:
    """DRF's ErrorDetail tree as plain strings, lists and dicts."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


class InvalidParameters(exceptions.ValidationError):
    """A 400 for query parameters: ``{name: [problems]}``."""

    default_code = "invalid_parameters"


def _validation(exc: exceptions.ValidationError) -> tuple[str, str, Any]:
    details = _flatten(exc.detail)
    if not isinstance(details, dict):
        details = {"non_field_errors": details if isinstance(details, list) else [details]}
    if isinstance(exc, InvalidParameters):
        return "invalid_parameters", f"invalid query parameters: {', '.join(details)}", details
    return "invalid_body", f"invalid request body: {', '.join(details)}", details


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: DRF's own decisions, in our body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API exception: ApiErrorMiddleware answers a JSON 500
    if isinstance(exc, exceptions.ValidationError):
        code, message, details = _validation(exc)
    elif isinstance(exc, exceptions.ParseError):
        code, message, details = "invalid_json", str(exc.detail), {}
    elif isinstance(exc, exceptions.APIException):
        code, message, details = exc.default_code, str(exc.detail), {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retry_after": int(exc.wait)}
    else:
        code, message, details = "", str(exc), {}
    response.data = error_body(response.status_code, message, details, code=code)
    return response


def _too_many_parameters(request: HttpRequest) -> JsonResponse | None:
    """A 400 for more query parameters than Django parses (``DATA_UPLOAD_MAX_NUMBER_FIELDS``),
    before any view or error page reads them and fails again."""
    try:
        request.GET  # noqa: B018 - parsed here, where the refusal can still be JSON
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        body = error_body(
            400, f"too many query parameters (at most {limit})", {}, "invalid_parameters"
        )
        return JsonResponse(body, status=400, json_dumps_params=COMPACT)
    return None


@csrf_exempt  # a POST to no endpoint is a 404, not a refused form
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that names no endpoint."""
    return JsonResponse(
        error_body(404, f"no endpoint at {request.path}"),
        status=status.HTTP_404_NOT_FOUND,
        json_dumps_params=COMPACT,
    )


class ApiErrorMiddleware:
    """Outermost middleware: keeps every error under /api/ in the JSON shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and (refused := _too_many_parameters(request)):
            return refused
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return self._replace(response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX) or isinstance(exception, DJANGO_ANSWERS):
            return None  # Django answers these itself (400, 403, 404); __call__ makes it JSON
        logger.exception("api request failed path=%s", request.path)
        return JsonResponse(
            error_body(500, "internal error; it has been logged"),
            status=500,
            json_dumps_params=COMPACT,
        )

    @staticmethod
    def _replace(response: HttpResponse) -> JsonResponse:
        code = response.status_code
        message = {
            400: "bad request",
            403: "forbidden",
            404: "not found",
            405: "method not allowed",
            413: "request too large",
        }.get(code, "internal error; it has been logged" if code >= 500 else "request failed")
        replaced = JsonResponse(error_body(code, message), status=code, json_dumps_params=COMPACT)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replaced[header] = response[header]
        return replaced
