"""The API's own records: clients' keys, readers' queries and feedback, webhook subscriptions."""

from api.models.analytics import (
    QueryDay,
    QueryKind,
    QueryLog,
    QueryRollupMark,
    ResultAction,
    ResultEvent,
    masked,
)
from api.models.feedback import Feedback
from api.models.keys import ApiKey, Scope
from api.models.webhooks import Delivery, DeliveryStatus, Subscription, SubscriptionStatus

__all__ = [
    "ApiKey",
    "Delivery",
    "DeliveryStatus",
    "Feedback",
    "QueryDay",
    "QueryKind",
    "QueryLog",
    "QueryRollupMark",
    "ResultAction",
    "ResultEvent",
    "Scope",
    "Subscription",
    "SubscriptionStatus",
    "masked",
]
