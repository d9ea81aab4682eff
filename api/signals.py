"""Signal receivers of the API app (connected in ``ApiConfig.ready``)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver
from kombu.exceptions import OperationalError as BrokerError

from api import tasks
from api.dispatch import deliveries_due

logger = logging.getLogger(__name__)


@receiver(deliveries_due)
def deliveries_send(sender: Any, subscription_ids: list[int], **kwargs: Any) -> None:
    """Start sending; a nudge the broker refuses is caught by the periodic sweep."""
    for subscription_id in subscription_ids:
        try:
            tasks.deliver_soon(subscription_id)
        except BrokerError as error:
            logger.warning(
                "webhook send not queued subscription=%s error=%r", subscription_id, error
            )
