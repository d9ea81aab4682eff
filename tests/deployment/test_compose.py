"""docker-compose.yml starts a stack that works: services wired to each other, in order."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django
import pytest

from tests.deployment.files import (
    APP_SERVICES,
    DOCKERFILE,
    INFRA_SERVICES,
    LONG_RUNNING_APP_SERVICES,
    ROOT,
    bind_address,
    command_of,
    depends_on,
    dockerignored,
    environment_of,
    healthcheck_test,
    load_compose,
    shell_commands,
    wsgi_target_exists,
)
from tests.deployment.processes import TEST_SECRET_KEY, run_python


def test_the_stack_has_every_service(services: dict[str, dict[str, Any]]) -> None:
    missing = {*INFRA_SERVICES, *APP_SERVICES} - services.keys()
    assert not missing, f"docker-compose.yml lacks the services {sorted(missing)}"


def test_every_kms_service_sees_the_same_configuration(
    services: dict[str, dict[str, Any]],
) -> None:
    # A worker on another database or broker than the web server loses every task.
    environments = {name: environment_of(services[name]) for name in APP_SERVICES}
    assert all(env == environments["web"] for env in environments.values()), environments


def test_secret_key_comes_from_the_shell_and_nowhere_else() -> None:
    for shell in ({}, {"SECRET_KEY": ""}):
        with pytest.raises(LookupError, match="SECRET_KEY"):
            load_compose(shell)
    services = load_compose({"SECRET_KEY": TEST_SECRET_KEY})["services"]
    for name in APP_SERVICES:
        assert environment_of(services[name])["SECRET_KEY"] == TEST_SECRET_KEY


def test_database_url_matches_the_postgres_service(services: dict[str, dict[str, Any]]) -> None:
    postgres = environment_of(services["postgres"])
    for name in APP_SERVICES:
        url = urlsplit(environment_of(services[name])["DATABASE_URL"] or "")
        assert url.scheme in ("postgres", "postgresql", "pgsql")
        assert url.hostname == "postgres", "DATABASE_URL must name the postgres service"
        assert (url.port or 5432) == 5432
        assert url.username == postgres["POSTGRES_USER"]
        assert url.password == postgres["POSTGRES_PASSWORD"]
        assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


def test_redis_url_points_at_the_redis_service(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        url = urlsplit(environment_of(services[name])["REDIS_URL"] or "")
        assert url.scheme == "redis"
        assert url.hostname == "redis"
        assert (url.port or 6379) == 6379


def test_search_uses_the_elasticsearch_service(services: dict[str, dict[str, Any]]) -> None:
    elasticsearch = services["elasticsearch"]
    # The client library speaks to Elasticsearch 8.19 and 9.x.
    image = str(elasticsearch["image"])
    assert re.fullmatch(
        r"docker\.elastic\.co/elasticsearch/elasticsearch:(8\.19|9\.\d+)\.\d+", image
    )
    es_env = environment_of(elasticsearch)
    assert es_env["discovery.type"] == "single-node", "one node never forms a cluster otherwise"
    assert es_env["xpack.security.enabled"] == "false", "KMS connects without TLS or password"
    for name in APP_SERVICES:
        env = environment_of(services[name])
        assert env["KMS_SEARCH_BACKEND"] == "elasticsearch"
        url = urlsplit(env["ELASTICSEARCH_URL"] or "")
        assert url.scheme == "http"
        assert url.hostname == "elasticsearch"
        assert (url.port or 9200) == 9200


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
def test_kms_services_wait_for_healthy_backends_and_migrations(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    conditions = depends_on(services[name])
    assert conditions.get("migrate") == "service_completed_successfully"
    for backend in INFRA_SERVICES:
        assert conditions.get(backend) == "service_healthy", f"{name} -> {backend}"


def test_migrations_run_once_on_a_healthy_database(services: dict[str, dict[str, Any]]) -> None:
    migrate = services["migrate"]
    assert depends_on(migrate).get("postgres") == "service_healthy"
    # Restarted, it would never "complete successfully" and the app would never start.
    assert str(migrate.get("restart", "no")) == "no"


def test_healthy_conditions_name_services_with_a_healthcheck(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} depends on an unknown service {dependency}"
            if condition == "service_healthy":
                assert healthcheck_test(services[dependency]), (
                    f"{name} waits for {dependency} to be healthy, which has no healthcheck"
                )


def test_long_running_services_are_health_checked(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name == "migrate" or healthcheck_test(service):
            continue
        conditions = depends_on(service)
        assert conditions, f"{name} has neither a healthcheck nor checked dependencies"
        assert set(conditions.values()) <= {
            "service_healthy",
            "service_completed_successfully",
        }, f"{name} has no healthcheck and starts before its dependencies are healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_kms_healthchecks_use_programs_the_image_has(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    test = healthcheck_test(services[name])
    if not test:
        return
    argv = shlex.split(test[1]) if test[0] == "CMD-SHELL" else test[1:]
    assert argv[0] in ("python", "celery"), (
        f"{name}'s healthcheck runs {argv[0]}, which python:3.11-slim does not have"
    )


def test_web_serves_the_project_wsgi_application_on_the_published_port(
    services: dict[str, dict[str, Any]],
) -> None:
    web = services["web"]
    argv = command_of(web)
    wsgi_target_exists(argv)
    host, _, port = bind_address(argv).rpartition(":")
    # Bound to localhost, gunicorn would be unreachable from outside its container.
    assert host == "0.0.0.0"  # noqa: S104
    published = [str(mapping).rsplit(":", 1)[-1] for mapping in web.get("ports", [])]
    assert port in published


@pytest.mark.parametrize(("name", "role"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_kms_app(
    services: dict[str, dict[str, Any]], name: str, role: str
) -> None:
    assert command_of(services[name])[:4] == ["celery", "-A", "kms", role]


def test_celery_finds_the_kms_app() -> None:
    result = run_python(
        os.environ,
        "-c",
        "from celery.app.utils import find_app; print(find_app('kms').main)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "kms"


def test_beat_keeps_its_schedule_in_the_data_volume(services: dict[str, dict[str, Any]]) -> None:
    # The code in the image belongs to root: the data volume is the only writable place.
    beat = services["beat"]
    argv = command_of(beat)
    schedule = argv[argv.index("--schedule") + 1]
    data_dir = environment_of(beat)["KMS_DATA_DIR"] or ""
    assert schedule.startswith(data_dir.rstrip("/") + "/")


def test_named_volumes_hold_the_state(compose: dict[str, Any]) -> None:
    services = compose["services"]
    declared = set(compose.get("volumes") or {})

    def named_mounts(service: Mapping[str, Any]) -> dict[str, str]:
        mounts = {}
        for volume in service.get("volumes", []):
            source, _, target = str(volume).partition(":")
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"volume {source} is not declared"
                mounts[target.split(":")[0]] = source
        return mounts

    assert "/var/lib/postgresql/data" in named_mounts(services["postgres"])
    assert "/usr/share/elasticsearch/data" in named_mounts(services["elasticsearch"])
    data_volumes = set()
    for name in APP_SERVICES:
        data_dir = environment_of(services[name])["KMS_DATA_DIR"] or ""
        mounts = named_mounts(services[name])
        assert data_dir in mounts, f"{name} keeps KMS_DATA_DIR={data_dir} in no named volume"
        data_volumes.add(mounts[data_dir])
    assert len(data_volumes) == 1, "web, worker, beat and migrate must share one data volume"


def _path_arguments(argv: list[str]) -> Iterator[str]:
    for arg in argv:
        if arg.startswith(("-", "/", "$")) or ":" in arg or "=" in arg:
            continue
        if "/" in arg or re.search(r"\.(py|jsonl?|ya?ml|csv|md|txt)$", arg):
            yield arg


def test_files_the_compose_commands_use_exist_and_reach_the_image(
    services: dict[str, dict[str, Any]],
) -> None:
    checked = []
    for name in APP_SERVICES:
        for argv in shell_commands(services[name]):
            for arg in _path_arguments(argv):
                assert (ROOT / arg).exists(), f"{name} runs `{shlex.join(argv)}`: no {arg}"
                assert not dockerignored(arg), f"{arg} is left out of the image by .dockerignore"
                checked.append(arg)
    assert "manage.py" in checked


def test_management_commands_the_compose_file_runs_exist(
    services: dict[str, dict[str, Any]],
) -> None:
    django_root = Path(django.__file__).resolve().parent
    found = []
    for name in APP_SERVICES:
        for argv in shell_commands(services[name]):
            if "manage.py" not in argv:
                continue
            command = argv[argv.index("manage.py") + 1]
            candidates = [
                *django_root.glob(f"core/management/commands/{command}.py"),
                *django_root.glob(f"contrib/*/management/commands/{command}.py"),
                *ROOT.glob(f"*/management/commands/{command}.py"),
            ]
            assert candidates, f"{name} runs `manage.py {command}`, which no app provides"
            found.append(command)
    assert "migrate" in found, "nothing applies the migrations"


def test_the_demo_files_kms_demo_loads_ship_with_the_image() -> None:
    from content.management.commands.kms_demo import DEMO_FILES

    for name in DEMO_FILES:
        assert (ROOT / "demo" / name).exists()
        assert not dockerignored(f"demo/{name}")


def test_compose_builds_the_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        build = services[name].get("build")
        assert build, f"{name} does not build the KMS image"
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert (ROOT / context / dockerfile).resolve() == DOCKERFILE
