"""API keys on the wire: ``Authorization: Bearer <key>``, and the scope each view needs.

Invariants:
* a key is accepted only from the ``Authorization`` header (never from the URL, where logs
  and browser histories keep it), only while not revoked, and only after its digest
  matched in constant time;
* a view declares the one scope it needs (``required_scope``); a key without it is a 403
  naming the scope, a request without a valid key a 401;
* ``last_used_at`` is written at most once a minute per key, so reads stay reads;
* a key's row is read at most every ``KMS_API_MEMO_SECONDS`` per web process (api.memo):
  a revocation or a change of scopes reaches every process within that time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.memo import Memo
from api.models import ApiKey

KEY_PREFIX = "kms"
PREFIX_LENGTH = 8
LAST_USED_EVERY = dt.timedelta(minutes=1)
_keys: Memo[ApiKey | None] = Memo()


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_generate() -> tuple[str, str]:
    """A new key and its public prefix: ``kms_<prefix>_<secret>`` (256 random bits)."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


# What key_generate makes: the prefix in hex, the secret in URL-safe base64. Anything else
# is refused before it reaches the database (PostgreSQL refuses a NUL in a string: a 500).
KEY_RE = re.compile(rf"\A{KEY_PREFIX}_([0-9a-f]{{{PREFIX_LENGTH}}})_[A-Za-z0-9_-]{{20,100}}\Z")


def _prefix_of(key: str) -> str | None:
    match = KEY_RE.match(key)
    return match.group(1) if match else None


def key_lookup(key: str) -> ApiKey | None:
    """The active key `key` is, or None."""
    prefix = _prefix_of(key)
    if prefix is None:
        return None
    found = _keys.get(prefix, lambda: _active(prefix))
    if found is None or not hmac.compare_digest(found.digest, key_digest(key)):
        return None
    return found


def _active(prefix: str) -> ApiKey | None:
    return ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


class BearerKeyAuthentication(BaseAuthentication):
    """``request.auth`` is the :class:`~api.models.ApiKey`; there is no user."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].decode("latin-1").lower() != self.keyword.lower() or len(header) != 2:
            raise exceptions.AuthenticationFailed("use the header Authorization: Bearer <key>")
        try:
            presented = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("invalid API key") from None
        key = key_lookup(presented)
        if key is None:
            raise exceptions.AuthenticationFailed("invalid or revoked API key")
        _touch(key)
        return AnonymousUser(), key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="kms"'


class HasScope(BasePermission):
    """A valid key holding the view's ``required_scope``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            raise exceptions.NotAuthenticated("an API key is required: Authorization: Bearer <key>")
        scope = view.required_scope
        if scope not in key.scopes:
            raise exceptions.PermissionDenied(f"this key lacks the '{scope}' scope")
        return True
