"""A chooser's "create" URL with no creation form behind it is a 404, never a 500.

Every chooser the admin serves is probed, read from the URL configuration itself, so a
snippet registered later is probed too.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.urls import served_patterns

pytestmark = pytest.mark.django_db

CREATES_THROUGH_CHOOSER = ("wagtailimages_chooser", "wagtaildocs_chooser")


def chooser_create_urls() -> list[tuple[str, str]]:
    return [
        (namespace, reverse(f"{namespace}:create"))
        for namespace, pattern in served_patterns()
        if pattern.name == "create" and "chooser" in namespace
    ]


def test_every_snippet_chooser_is_probed() -> None:
    probed = [namespace for namespace, _ in chooser_create_urls()]
    assert "wagtailsnippetchoosers_search_promotedresult" in probed
    assert "wagtailsnippetchoosers_content_branchoverride" in probed


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_chooser_without_a_creation_form_answers_404(admin_client: Client, method: str) -> None:
    for namespace, url in chooser_create_urls():
        if namespace in CREATES_THROUGH_CHOOSER:
            continue
        response = getattr(admin_client, method)(url, {"query": "理赔"})
        assert response.status_code == 404, url


def test_choosers_that_create_still_offer_their_form(admin_client: Client) -> None:
    for namespace, url in chooser_create_urls():
        if namespace in CREATES_THROUGH_CHOOSER:
            assert admin_client.get(url).status_code == 200, url
