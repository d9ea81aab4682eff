"""What the OpenAPI schema describes: the public read API, and nothing else.

drf-spectacular walks the whole URL configuration, and Wagtail serves DRF views of its own
under /admin/ (the admin's page API); describing those to anonymous clients would map the
editors' back office for them. Only endpoints under the API's own prefix are kept.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension

Endpoint = tuple[str, str, str, Any]  # path, path regex, method, view


def public_endpoints_only(endpoints: list[Endpoint], **kwargs: Any) -> list[Endpoint]:
    """drf-spectacular preprocessing hook: drop every endpoint outside /api/v1/."""
    prefix = reverse("api:v1:root")
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(prefix)]


class BearerKeyScheme(OpenApiAuthenticationExtension):
    """Describes api.auth.BearerKeyAuthentication: ``Authorization: Bearer <key>``."""

    target_class = "api.auth.BearerKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `manage.py kms_apikey create` or the admin.",
        }
