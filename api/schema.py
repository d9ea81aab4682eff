"""What the OpenAPI schema describes: the public read API, and nothing else.

drf-spectacular walks the whole URL configuration, and Wagtail serves DRF views of its own
under /admin/ (the admin's page API); describing those to anonymous clients would map the
editors' back office for them. Only endpoints under the API's own prefix are kept.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

Endpoint = tuple[str, str, str, Any]  # path, path regex, method, view


def public_endpoints_only(endpoints: list[Endpoint], **kwargs: Any) -> list[Endpoint]:
    """drf-spectacular preprocessing hook: drop every endpoint outside /api/v1/."""
    prefix = reverse("api:v1:root")
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(prefix)]
