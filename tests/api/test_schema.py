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


def test_the_interactive_docs_load_their_assets_from_kms_itself() -> None:
    import re

    from django.contrib.staticfiles import finders

    response = Client().get(reverse("api:v1:docs"))

    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} would need the internet"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped"


def test_every_endpoint_is_described_with_its_parameters_and_errors() -> None:
    schema = Client().get(reverse("api:v1:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]

    assert set(paths) >= {
        "/api/v1/health",
        "/api/v1/articles",
        "/api/v1/articles/{key}",
        "/api/v1/changes",
        "/api/v1/branches",
        "/api/v1/categories",
        "/api/v1/products",
        "/api/v1/feedback",
    }
    article = paths["/api/v1/articles/{key}"]["get"]
    assert {p["name"] for p in article["parameters"]} >= {"key", "branch", "channel", "format"}
    assert set(article["responses"]) >= {"200", "304", "400", "401", "403", "404", "429"}
    assert article["security"] == [{"apiKey": []}]
    assert paths["/api/v1/health"]["get"].get("security") in (None, [], [{}])
