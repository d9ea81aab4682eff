"""The agents' search widget: its script, and a demo page that uses it with a demo key.

Invariants:
* ``/widget/kms-search.js`` is the committed file (``api/static/widget``) byte for byte,
  read once per process, with an ETag of its content: a tool embedding it revalidates
  cheaply and picks up a new version within ``SCRIPT_MAX_AGE``;
* the demo page exists only where ``settings.KMS_WIDGET_DEMO`` is on (the development
  settings), and only with the demo key :func:`demo_key_ensure` (``manage.py
  kms_widget_demo``) keeps in ``KMS_DATA_DIR``: a key limited to reading, searching and
  feedback on the agent channel, that the page puts in front of whoever opens it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe

from api.auth import key_lookup
from api.models import ApiKey
from api.services import apikey_create, apikey_rotate, apikey_update
from content.actors import Actor
from content.models import Channel
from content.secret_files import keep_secret, kept_secret

SCRIPT = Path(__file__).resolve().parent / "static" / "widget" / "kms-search.js"
SCRIPT_MAX_AGE = 300  # seconds a browser may use the script without asking again
DEMO_KEY_NAME = "widget-demo"
DEMO_KEY_FILE = "widget-demo-key.txt"
DEMO_SCOPES = ("read", "search", "feedback")
DEMO_CHANNELS = ("agent",)


@functools.cache
def script_bytes() -> tuple[bytes, str]:
    """The widget's script and its ETag."""
    content = SCRIPT.read_bytes()
    return content, hashlib.sha256(content).hexdigest()[:32]


@require_safe
@condition(etag_func=lambda request: script_bytes()[1])
def script(request: HttpRequest) -> HttpResponse:
    content, _ = script_bytes()
    response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # a script tag needs none; module loads do
    return response


def demo_key_file() -> Path:
    return Path(settings.DATA_DIR) / DEMO_KEY_FILE


def demo_key() -> str | None:
    """The demo key kept in KMS_DATA_DIR, when it is still the demo key's active secret."""
    secret = kept_secret(demo_key_file())
    found = key_lookup(secret) if secret else None
    return secret if found is not None and found.name == DEMO_KEY_NAME else None


def demo_key_ensure(*, actor: Actor) -> str:
    """The demo key, made (or given a new secret when the kept one is lost) and held to
    what the demo needs, whatever an operator changed — except a revocation, which stands
    (ValidationError)."""
    existing = ApiKey.objects.filter(name=DEMO_KEY_NAME).first()
    rights = {"name": DEMO_KEY_NAME, "scopes": DEMO_SCOPES, "channels": DEMO_CHANNELS}
    if existing is None:
        secret = apikey_create(actor=actor, **rights).secret
    else:
        revoked = existing.revoked_at is not None
        apikey_update(existing, actor=actor, revoked=revoked, **rights)
        if revoked:
            raise ValidationError({"name": f"the API key {DEMO_KEY_NAME!r} is revoked"})
        secret = demo_key() or apikey_rotate(actor=actor, name=DEMO_KEY_NAME).secret
    keep_secret(demo_key_file(), secret)
    return secret


@require_safe
@never_cache  # the page holds a working key
def demo(request: HttpRequest) -> HttpResponse:
    if not settings.KMS_WIDGET_DEMO:
        raise Http404("the widget demo is off (KMS_WIDGET_DEMO)")
    return render(
        request,
        "api/widget/demo.html",
        {"key": demo_key(), "channels": [(c, Channel(c).label) for c in DEMO_CHANNELS]},
    )
