"""Registers the API's admin: keys and webhook subscriptions, under one API menu."""

from __future__ import annotations

from django.urls import path
from wagtail import hooks

from api.admin import ApiViewSetGroup, subscription_action


@hooks.register("register_admin_viewset")
def register_api_admin() -> ApiViewSetGroup:
    return ApiViewSetGroup()


@hooks.register("register_admin_urls")
def register_webhook_actions() -> list:
    return [
        path(
            "kms/webhooks/<int:subscription_id>/do/<str:action>/",
            subscription_action,
            name="kms_webhook_action",
        )
    ]
