"""Reads of the API app's records that more than one place needs."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from api.models import DeliveryStatus, Subscription


def subscriptions_counted() -> QuerySet[Subscription]:
    """Every webhook subscription by name, with how many of its deliveries are pending,
    pending after a failed attempt (``retrying``), and dead letters (``dead``)."""
    pending = Q(deliveries__status=DeliveryStatus.PENDING)
    return Subscription.objects.annotate(
        pending=Count("deliveries", filter=pending),
        retrying=Count("deliveries", filter=pending & Q(deliveries__attempts__gt=0)),
        dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
    ).order_by("name")
