"""The production settings refuse to start misconfigured, and are secure behind TLS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.deployment.files import APP_SERVICES, ROOT, environment_of
from tests.deployment.processes import (
    PRODUCTION_SETTINGS,
    REQUIRED_IN_PRODUCTION,
    TEST_SECRET_KEY,
    clean_environ,
    load_settings,
    production_environ,
    run_python,
)


@pytest.mark.parametrize("missing", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without_each_required_variable(
    tmp_path: Path, missing: str
) -> None:
    environ = production_environ(tmp_path)
    environ[missing] = ""  # empty counts as unset

    assert missing in load_settings(environ).refusal


@pytest.mark.parametrize(
    ("weak_key", "reason"),
    [
        pytest.param("test-only-secret-key", "at least 50 characters", id="short"),
        pytest.param("ab" * 40, "at least 5 different characters", id="few-different"),
        pytest.param(
            "django-insecure-" + TEST_SECRET_KEY, "Django's development keys", id="django-insecure"
        ),
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path: Path, weak_key: str, reason: str) -> None:
    refusal = load_settings(production_environ(tmp_path, SECRET_KEY=weak_key)).refusal

    assert "SECRET_KEY" in refusal
    assert reason in refusal, "the message must say what is wrong with the key"
    assert weak_key not in refusal, "the key itself must never reach a log"


def test_production_loads_with_the_required_variables(tmp_path: Path) -> None:
    loaded = load_settings(production_environ(tmp_path), ["DEBUG", "ALLOWED_HOSTS"]).settings

    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["kms.example.com"]


def test_check_deploy_has_no_warnings_with_the_production_defaults(tmp_path: Path) -> None:
    result = run_python(production_environ(tmp_path), "manage.py", "check", "--deploy")

    assert result.returncode == 0, result.stderr
    issues = re.findall(r"^\S*: \(([\w.]+)\) ", result.stdout + result.stderr, re.MULTILINE)
    assert not issues, result.stdout + result.stderr


_REQUEST = """
import django
django.setup()
from django.test import Client
response = Client().get("/admin/login/", HTTP_HOST="kms.example.com")
print(response.status_code, response.headers.get("Location", ""))
"""


def test_plain_http_is_redirected_to_https_by_default(tmp_path: Path) -> None:
    result = run_python(production_environ(tmp_path), "-c", _REQUEST)

    assert result.returncode == 0, result.stderr
    status, location = result.stdout.split()
    assert (status, location) == ("301", "https://kms.example.com/admin/login/")


def test_kms_plain_http_serves_a_local_stack_without_tls(tmp_path: Path) -> None:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    loaded = load_settings(production_environ(tmp_path, KMS_PLAIN_HTTP="true"), names).settings

    # Secure cookies over http:// would make every login and form post fail.
    assert loaded == dict.fromkeys(names, False) | {"SECURE_HSTS_SECONDS": 0}


def test_kms_plain_http_must_be_true_or_false(tmp_path: Path) -> None:
    environ = production_environ(tmp_path, KMS_PLAIN_HTTP="ture")

    assert "KMS_PLAIN_HTTP" in load_settings(environ).refusal


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_starts_with_the_compose_environment(
    services: dict[str, dict[str, Any]], tmp_path: Path, name: str
) -> None:
    compose_env = {key: value or "" for key, value in environment_of(services[name]).items()}
    data_dir = compose_env.pop("KMS_DATA_DIR")  # /data exists only in the container
    environ = {**clean_environ(tmp_path), **compose_env}
    names = [
        "SETTINGS_MODULE",
        "DATABASES",
        "CELERY_BROKER_URL",
        "KMS_SEARCH_BACKEND",
        "ELASTICSEARCH_URL",
        "STATIC_ROOT",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
    ]

    loaded = load_settings(environ, names, setup=name == "web").settings

    assert loaded["SETTINGS_MODULE"] == PRODUCTION_SETTINGS
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "postgres"
    assert database["NAME"] == environment_of(services["postgres"])["POSTGRES_DB"]
    assert loaded["CELERY_BROKER_URL"] == compose_env["REDIS_URL"]
    assert loaded["KMS_SEARCH_BACKEND"] == "elasticsearch"
    assert loaded["ELASTICSEARCH_URL"] == compose_env["ELASTICSEARCH_URL"]
    # Collected into the image at build time: under the data volume it would be hidden.
    assert Path(loaded["STATIC_ROOT"]).is_relative_to(ROOT)
    assert not Path(loaded["STATIC_ROOT"]).is_relative_to(data_dir)
    # The local stack is reached on http://localhost:8000: no redirect, cookies that work.
    assert (loaded["SECURE_SSL_REDIRECT"], loaded["SESSION_COOKIE_SECURE"]) == (False, False)


def test_manage_py_names_the_refusal_in_one_line_without_a_traceback(tmp_path: Path) -> None:
    process = run_python(production_environ(tmp_path, SECRET_KEY="short"), "manage.py", "check")

    assert process.returncode == 1
    assert process.stderr.startswith("KMS is not configured to start: SECRET_KEY is too weak")
    assert "Traceback" not in process.stderr
