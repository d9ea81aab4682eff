"""Which consumers read the change log. Apps provide consumers; only this module wires them."""

from __future__ import annotations

from api.webhooks import WebhookConsumer
from content.cache import CachePurgeConsumer
from content.consumers import registry
from search.indexing import SearchIndexConsumer


def register_all() -> None:
    registry.register(CachePurgeConsumer())
    registry.register(SearchIndexConsumer())
    registry.register(WebhookConsumer())
