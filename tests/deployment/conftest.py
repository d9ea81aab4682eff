"""The compose file as `docker compose up` sees it from a shell that sets only SECRET_KEY."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deployment.files import load_compose
from tests.deployment.processes import TEST_SECRET_KEY

#: What the shell running `docker compose up` must provide (the compose file requires it).
COMPOSE_SHELL = {"SECRET_KEY": TEST_SECRET_KEY}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose(COMPOSE_SHELL)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]
