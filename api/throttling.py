"""Per-key request limits: a fixed one-minute window counted in the ``throttle`` cache.

Invariant: a key makes at most its ``rate_per_minute`` (or the site's
``KMS_API_RATE_PER_MINUTE``) requests in one calendar minute; beyond that it is answered
429 with ``Retry-After`` set to the seconds left in the minute. The count costs one
atomic increment per request, whatever the rate. With a local-memory throttle cache (the
embedded default) each web process counts on its own.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from api.models import ApiKey

WINDOW = 60


class KeyRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True  # unauthenticated requests are refused before any work
        rate = key.rate_per_minute or settings.KMS_API_RATE_PER_MINUTE
        now = time.time()
        window = int(now // WINDOW)
        counter = f"kms:throttle:{key.pk}:{window}"
        store = caches["throttle"]
        store.add(counter, 0, timeout=WINDOW + 1)
        try:
            count = store.incr(counter)
        except ValueError:  # expired between add and incr: a new window
            store.set(counter, 1, timeout=WINDOW + 1)
            count = 1
        if count <= rate:
            return True
        self.retry_after = (window + 1) * WINDOW - now
        return False

    def wait(self) -> float | None:
        return None if self.retry_after is None else float(math.ceil(self.retry_after))
