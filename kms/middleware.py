"""Every request that may write is one content transaction.

Django's ``ATOMIC_REQUESTS`` would wrap each view in ``transaction.atomic``. This does
the same with :func:`content.services.transactions.content_transaction` instead, so
Wagtail's own admin views — publish and unpublish buttons, workflow approvals, reverts,
deletes — get what every content service gets: the change events written last (the
change-log head locked only until commit) and a deadlock or serialisation failure
retried by running the view again, never shown to the editor.

Invariants:
* safe requests (GET, HEAD, OPTIONS) run without a transaction: they never publish, and
  on SQLite an atomic block would take the database's one write lock;
* views marked ``content.services.transactions.own_transactions`` run as they are (they
  call services that are their own transactions);
* the response is rendered inside the transaction, so a template that reads what the
  view wrote sees it consistently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from content.services.transactions import content_transaction, has_own_transactions

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ContentTransactionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None
        if has_own_transactions(view):
            return None

        @content_transaction
        def run() -> HttpResponse:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            return render() if callable(render) else response

        return run()
