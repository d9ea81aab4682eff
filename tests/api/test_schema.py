"""The OpenAPI schema anyone may fetch describes the public API and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_anonymous_schema_describes_only_the_public_api() -> None:
    response = Client().get(
        reverse("api:v1:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/" in paths
    outside = [path for path in paths if not path.startswith("/api/v1/")]
    assert not outside, f"the public schema describes {outside}"
    assert "/admin/" not in response.content.decode()
