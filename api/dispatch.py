"""Signals of the API app; receivers are connected in ``ApiConfig.ready`` (api.signals).

They let the webhook consumer ask for sending without importing the tasks that send.
"""

from django.dispatch import Signal

#: These subscriptions have deliveries to send now. ``subscription_ids: list[int]``.
deliveries_due = Signal()
