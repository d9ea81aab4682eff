"""Every variable the deployment files set is one the settings read (and so documented).

kms/settings/environment.py declares every variable; tests/test_readme.py checks that the
README's table documents exactly those.
"""

from __future__ import annotations

from typing import Any

import pytest

from kms.settings.environment import VARIABLES, UndeclaredVariable, env
from tests.deployment.files import APP_SERVICES, dockerfile_env, environment_of


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_compose_passes_to_kms_is_declared(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    # An env_file would pass variables this check cannot see.
    assert "env_file" not in service, "KMS variables are set in docker-compose.yml itself"
    undeclared = sorted(set(environment_of(service)) - VARIABLES.keys())
    assert not undeclared, (
        f"{name} sets {undeclared}, which kms/settings/environment.py does not declare: "
        "the settings never read them (declare them there or drop them here)"
    )


def test_every_variable_the_image_sets_for_kms_is_declared() -> None:
    undeclared = [
        name
        for name in dockerfile_env()
        if name not in VARIABLES and not name.startswith(("PYTHON", "PIP_", "LANG", "LC_"))
    ]
    assert not undeclared, f"the Dockerfile sets {undeclared}, which the settings never read"


def test_the_settings_cannot_read_an_undeclared_variable() -> None:
    with pytest.raises(UndeclaredVariable):
        env("KMS_NOT_A_DECLARED_VARIABLE")
