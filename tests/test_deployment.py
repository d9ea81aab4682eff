"""The deployment files agree with the settings and with the code they start.

docker-compose.yml, Dockerfile and .dockerignore are parsed here (no Docker engine, no
database): compose variables are interpolated the way `docker compose` does, and the
settings are only ever loaded in a subprocess, so these tests pass with or without
pytest-django and whatever DJANGO_SETTINGS_MODULE the test run uses.
"""

from __future__ import annotations

import ast
import fnmatch
import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `pytest -p no:django` does not put the project on the path
    sys.path.insert(0, str(ROOT))

from kms.settings.environment import VARIABLES  # noqa: E402

COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

INFRA_SERVICES = ("postgres", "redis", "elasticsearch")
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_APP_SERVICES = ("web", "worker", "beat")
PRODUCTION_SETTINGS = "kms.settings.production"
#: What the shell running `docker compose up` must provide (the compose file requires it).
COMPOSE_SHELL = {"SECRET_KEY": "test-only-secret-key"}


# --- Compose variable interpolation ---------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingRequiredVariableError(LookupError):
    """`${NAME:?message}` met an unset or empty NAME."""


def interpolate(value: str, shell: Mapping[str, str]) -> str:
    """Expand `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:?error}`... and `$$`."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        current = shell.get(name)
        if op == ":-":
            return current or arg
        if op == "-":
            return arg if current is None else current
        if op == ":+":
            return arg if current else ""
        if op == "+":
            return "" if current is None else arg
        if (op == ":?" and not current) or (op == "?" and current is None):
            raise MissingRequiredVariableError(f"{name}: {arg}")
        return current or ""

    return _INTERPOLATION.sub(replace, value)


def interpolate_tree(node: Any, shell: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, shell)
    if isinstance(node, list):
        return [interpolate_tree(item, shell) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, shell) for key, value in node.items()}
    return node


def load_raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return interpolate_tree(load_raw_compose(), COMPOSE_SHELL)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def environment_of(service: Mapping[str, Any]) -> dict[str, str | None]:
    """A service's `environment`, list or mapping form; None means taken from the shell."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        result: dict[str, str | None] = {}
        for item in raw:
            name, sep, value = str(item).partition("=")
            result[name] = value if sep else None
        return result
    return {name: None if value is None else str(value) for name, value in raw.items()}


def command_of(service: Mapping[str, Any]) -> list[str]:
    command = service.get("command")
    assert command, "the service must spell out its command"
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def shell_commands(service: Mapping[str, Any]) -> list[list[str]]:
    """The simple commands a service runs: `sh -c "a && b"` gives [a, b]."""
    argv = command_of(service)
    if argv[:2] in (["sh", "-c"], ["bash", "-c"], ["/bin/sh", "-c"]):
        script = argv[2]
        return [shlex.split(part) for part in re.split(r"&&|\|\||;|\n", script) if part.strip()]
    return [argv]


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):  # short form: no condition, i.e. service_started
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def has_healthcheck(service: Mapping[str, Any]) -> bool:
    healthcheck = service.get("healthcheck") or {}
    test = healthcheck.get("test")
    if isinstance(test, str):
        test = [test]
    return bool(test) and test[0] != "NONE" and not healthcheck.get("disable")


def production_required_variables() -> list[str]:
    """The names in kms/settings/production.py's `_missing = [... for name in (...)]`."""
    tree = ast.parse((ROOT / "kms" / "settings" / "production.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "_missing" for target in node.targets
        ):
            names = [
                constant.value
                for constant in ast.walk(node.value)
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
            ]
            assert names, "production.py's _missing check names no variable"
            return names
    pytest.fail("kms/settings/production.py has no `_missing = ...` check any more")


def module_defines(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return True
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            return True
    return False


def settings_subprocess(env: Mapping[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def clean_environ(tmp_path: Path) -> dict[str, str]:
    """This process's environment without any KMS variable, data under tmp_path."""
    environ = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    environ["KMS_DATA_DIR"] = str(tmp_path / "data")
    return environ


# --- Dockerfile -----------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        if full:
            keyword, _, arguments = full.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_args(keyword: str) -> list[str]:
    return [arguments for kw, arguments in dockerfile_instructions() if kw == keyword]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in dockerfile_args("ENV"):
        tokens = shlex.split(arguments)
        if tokens and "=" not in tokens[0]:  # legacy `ENV NAME value`
            env[tokens[0]] = " ".join(tokens[1:])
            continue
        for token in tokens:
            name, _, value = token.partition("=")
            env[name] = value
    return env


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def dockerignore_patterns() -> list[str]:
    if not DOCKERIGNORE.exists():
        return []
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignore_pattern_matches(path: str, pattern: str) -> bool:
    if pattern.startswith("**/"):
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern[3:]) for i in range(len(parts)))
    return fnmatch.fnmatchcase(path, pattern)


def dockerignored(relative_path: str) -> bool:
    """Whether .dockerignore keeps the path (or a folder holding it) out of the context."""
    parts = relative_path.strip("/").split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    ignored = False
    for pattern in dockerignore_patterns():
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        if any(_ignore_pattern_matches(prefix, body) for prefix in prefixes):
            ignored = not negated
    return ignored


# --- The compose file -----------------------------------------------------------------


def test_compose_uses_the_compose_spec_and_has_every_service(
    services: dict[str, dict[str, Any]],
) -> None:
    assert "version" not in load_raw_compose(), "the compose spec has no `version:` key"
    missing = {*INFRA_SERVICES, *APP_SERVICES} - services.keys()
    assert not missing, f"docker-compose.yml lacks the services {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_passed_to_kms_is_declared_in_the_settings(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    assert "env_file" not in service, "KMS variables are set in docker-compose.yml itself"
    undeclared = sorted(set(environment_of(service)) - VARIABLES.keys())
    assert not undeclared, (
        f"{name} sets {undeclared}, which kms/settings/environment.py does not declare: "
        "the settings never read them (declare them there or drop them here)"
    )


def test_the_shared_environment_is_one_anchor(services: dict[str, dict[str, Any]]) -> None:
    raw = load_raw_compose()
    assert "x-kms-env" in raw
    shared = environment_of({"environment": raw["x-kms-env"]})
    for name in APP_SERVICES:
        raw_env = environment_of(raw["services"][name])
        assert raw_env == shared, f"{name} does not use the x-kms-env environment"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_kms_services_run_the_production_settings_with_what_they_require(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    env = environment_of(services[name])
    assert env.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS
    required = production_required_variables()
    assert "SECRET_KEY" in required
    unset = [variable for variable in required if not env.get(variable)]
    assert not unset, f"{name} would not start: production settings require {unset}"


def test_secret_key_must_come_from_the_shell() -> None:
    raw_value = str(load_raw_compose()["x-kms-env"]["SECRET_KEY"])
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", raw_value), (
        "SECRET_KEY must be `${SECRET_KEY:?message}`: no key is baked into the compose file"
    )
    with pytest.raises(MissingRequiredVariableError, match="SECRET_KEY"):
        interpolate_tree(load_raw_compose(), {})
    with pytest.raises(MissingRequiredVariableError, match="SECRET_KEY"):
        interpolate_tree(load_raw_compose(), {"SECRET_KEY": ""})


def test_database_url_matches_the_postgres_service(services: dict[str, dict[str, Any]]) -> None:
    postgres = environment_of(services["postgres"])
    assert str(services["postgres"]["image"]).startswith("postgres:")
    for name in APP_SERVICES:
        url = urlsplit(environment_of(services[name])["DATABASE_URL"] or "")
        assert url.scheme in ("postgres", "postgresql", "pgsql")
        assert url.hostname == "postgres", "DATABASE_URL must name the postgres service"
        assert (url.port or 5432) == 5432
        assert url.username == postgres["POSTGRES_USER"]
        assert url.password == postgres["POSTGRES_PASSWORD"]
        assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


def test_redis_url_points_at_the_redis_service(services: dict[str, dict[str, Any]]) -> None:
    assert str(services["redis"]["image"]).startswith("redis:")
    for name in APP_SERVICES:
        url = urlsplit(environment_of(services[name])["REDIS_URL"] or "")
        assert url.scheme == "redis"
        assert url.hostname == "redis"
        assert (url.port or 6379) == 6379


def test_search_uses_the_elasticsearch_service(services: dict[str, dict[str, Any]]) -> None:
    elasticsearch = services["elasticsearch"]
    image = str(elasticsearch["image"])
    assert re.fullmatch(
        r"docker\.elastic\.co/elasticsearch/elasticsearch:(8\.19|9\.\d+)\.\d+", image
    )
    es_env = environment_of(elasticsearch)
    assert es_env["discovery.type"] == "single-node"
    assert es_env["xpack.security.enabled"] == "false"
    assert "-Xmx1g" in (es_env["ES_JAVA_OPTS"] or "")
    assert "_cluster/health" in json.dumps(elasticsearch["healthcheck"]["test"])
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


def test_migrations_wait_for_a_healthy_database(services: dict[str, dict[str, Any]]) -> None:
    migrate = services["migrate"]
    assert depends_on(migrate).get("postgres") == "service_healthy"
    assert str(migrate.get("restart", "no")) == "no", "a one-shot job must not be restarted"


def test_healthy_conditions_name_services_with_a_healthcheck(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} depends on an unknown service {dependency}"
            if condition == "service_healthy":
                assert has_healthcheck(services[dependency]), (
                    f"{name} waits for {dependency} to be healthy, which has no healthcheck"
                )


def test_long_running_services_are_health_checked(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name == "migrate":
            continue
        if has_healthcheck(service):
            continue
        conditions = depends_on(service)
        assert conditions, f"{name} has neither a healthcheck nor checked dependencies"
        assert set(conditions.values()) <= {
            "service_healthy",
            "service_completed_successfully",
        }, f"{name} has no healthcheck and starts before its dependencies are healthy"


def test_web_serves_the_project_wsgi_application(services: dict[str, dict[str, Any]]) -> None:
    web = services["web"]
    argv = command_of(web)
    assert argv[0] == "gunicorn"
    target = next(arg for arg in argv[1:] if not arg.startswith("-") and ":" in arg)
    module, _, attribute = target.partition(":")
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    assert path.is_file(), f"gunicorn would import {module}, but {path} does not exist"
    assert module_defines(path, attribute), f"{path} defines no {attribute}"
    base = ast.parse((ROOT / "kms" / "settings" / "base.py").read_text(encoding="utf-8"))
    wsgi_setting = next(
        node.value.value
        for node in base.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "WSGI_APPLICATION" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    )
    assert wsgi_setting == f"{module}.{attribute}"
    assert "0.0.0.0:8000" in argv
    assert any(str(port).endswith(":8000") for port in web.get("ports", []))
    healthcheck = json.dumps(web["healthcheck"]["test"])
    assert "/admin/login/" in healthcheck
    assert "urllib" in healthcheck, "python:3.11-slim has no curl"


@pytest.mark.parametrize(("name", "role"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_kms_app(
    services: dict[str, dict[str, Any]], name: str, role: str
) -> None:
    argv = command_of(services[name])
    assert argv[:4] == ["celery", "-A", "kms", role]
    assert module_defines(ROOT / "kms" / "celery.py", "app"), "kms/celery.py defines no `app`"


def test_celery_finds_the_kms_app() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from celery.app.utils import find_app; print(find_app('kms').main)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "kms"


def test_beat_keeps_its_schedule_in_the_data_volume(services: dict[str, dict[str, Any]]) -> None:
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
    assert {"migrate", "kms_demo"} <= set(found)


def test_compose_builds_the_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        build = services[name].get("build")
        assert build, f"{name} does not build the KMS image"
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert (ROOT / context / dockerfile).resolve() == DOCKERFILE


# --- The Dockerfile -------------------------------------------------------------------


def test_dockerfile_builds_on_python_3_11() -> None:
    froms = dockerfile_args("FROM")
    assert froms
    # `FROM [--platform=...] image [AS stage]`: the last stage is the image that runs.
    tokens = [token for token in shlex.split(froms[-1]) if not token.startswith("--")]
    final = tokens[0]
    assert re.fullmatch(r"(docker\.io/(library/)?)?python:3\.11([.\d]*)(-slim)?(-\w+)?", final), (
        f"the image runs {final}, not Python 3.11 (the version the lock file was made for)"
    )


def test_dockerfile_installs_the_pinned_requirements_with_the_lock_as_constraints() -> None:
    installs = [args for args in dockerfile_args("RUN") if "pip install" in args]
    assert installs, "the Dockerfile installs no requirements"
    tokens = shlex.split(installs[0])
    assert "--no-cache-dir" in tokens
    pairs = set(itertools.pairwise(tokens))
    assert ("-r", "requirements.txt") in pairs
    assert ("-c", "requirements.lock") in pairs


def test_dockerfile_copies_files_that_exist() -> None:
    for arguments in dockerfile_args("COPY") + dockerfile_args("ADD"):
        tokens = [token for token in shlex.split(arguments) if not token.startswith("--")]
        if any(token.startswith("--from") for token in shlex.split(arguments)):
            continue
        sources = json.loads(arguments)[:-1] if arguments.startswith("[") else tokens[:-1]
        for source in sources:
            if source == ".":
                continue
            assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
            assert not dockerignored(source), f"{source} is copied but .dockerignore drops it"


def test_dockerfile_runs_production_settings_as_a_user_with_a_data_volume() -> None:
    env = dockerfile_env()
    assert env.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS
    assert env.get("KMS_DATA_DIR") == "/data"
    undeclared = [
        name
        for name in env
        if name not in VARIABLES and not name.startswith(("PYTHON", "PIP_", "LANG", "LC_"))
    ]
    assert not undeclared, f"the Dockerfile sets {undeclared}, which the settings never read"
    volumes = " ".join(dockerfile_args("VOLUME"))
    assert "/data" in volumes
    users = dockerfile_args("USER")
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "8000" in " ".join(dockerfile_args("EXPOSE")).split()


def test_dockerfile_collects_static_files_without_real_secrets() -> None:
    collect = [args for args in dockerfile_args("RUN") if "collectstatic" in args]
    assert collect, "static files are not collected at build time"
    for variable in production_required_variables():
        assert f"{variable}=" in collect[0], f"collectstatic needs a throw-away {variable}"
    assert not any("SECRET_KEY" in args for args in dockerfile_args("ENV"))
    assert not any("SECRET_KEY" in args for args in dockerfile_args("ARG"))


def test_dockerfile_default_command_is_the_web_command(
    services: dict[str, dict[str, Any]],
) -> None:
    cmds = dockerfile_args("CMD")
    assert cmds
    default = exec_form(cmds[-1])
    assert default[:2] == ["gunicorn", "kms.wsgi:application"]
    assert default == command_of(services["web"])


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    for path in (".git", ".venv", ".env", "var", "kms/__pycache__/x.pyc"):
        assert dockerignored(path), f"{path} would be sent to the build"
    for path in ("kms/settings/production.py", "manage.py", "requirements.lock", "demo"):
        assert not dockerignored(path), f"{path} would be missing from the image"


# --- The production settings themselves ----------------------------------------------

LOAD_SETTINGS = (
    "import json, django\n"
    "from django.conf import settings\n"
    "settings.INSTALLED_APPS\n"
    "db = settings.DATABASES['default']\n"
    "print(json.dumps({\n"
    "    'DEBUG': settings.DEBUG,\n"
    "    'ENGINE': db['ENGINE'], 'HOST': db['HOST'], 'NAME': db['NAME'],\n"
    "    'CELERY_BROKER_URL': settings.CELERY_BROKER_URL,\n"
    "    'KMS_SEARCH_BACKEND': settings.KMS_SEARCH_BACKEND,\n"
    "    'ELASTICSEARCH_URL': settings.ELASTICSEARCH_URL,\n"
    "    'ALLOWED_HOSTS': settings.ALLOWED_HOSTS,\n"
    "    'STATIC_ROOT': str(settings.STATIC_ROOT),\n"
    "}))\n"
)


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    environ = clean_environ(tmp_path)
    environ["DJANGO_SETTINGS_MODULE"] = PRODUCTION_SETTINGS
    result = settings_subprocess(environ, LOAD_SETTINGS)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "README" in result.stderr


@pytest.mark.parametrize("missing", production_required_variables())
def test_production_settings_name_each_missing_variable(tmp_path: Path, missing: str) -> None:
    environ = clean_environ(tmp_path)
    environ.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
        SECRET_KEY="test-only-secret-key",
        DATABASE_URL="postgresql://kms:kms@postgres:5432/kms",
        ALLOWED_HOSTS="kms.example.com",
    )
    environ[missing] = ""  # empty counts as unset
    result = settings_subprocess(environ, LOAD_SETTINGS)
    assert result.returncode != 0
    assert missing in result.stderr.splitlines()[-1]


def test_production_settings_load_with_the_required_variables(tmp_path: Path) -> None:
    environ = clean_environ(tmp_path)
    environ.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
        SECRET_KEY="test-only-secret-key",
        DATABASE_URL="postgresql://kms:kms@postgres:5432/kms",
        ALLOWED_HOSTS="kms.example.com",
    )
    result = settings_subprocess(environ, LOAD_SETTINGS)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["kms.example.com"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_settings_load_with_the_compose_environment(
    services: dict[str, dict[str, Any]], tmp_path: Path, name: str
) -> None:
    environ = clean_environ(tmp_path)
    compose_env = {key: value or "" for key, value in environment_of(services[name]).items()}
    data_dir = compose_env.pop("KMS_DATA_DIR")  # /data exists only in the container
    environ.update(compose_env)
    result = settings_subprocess(environ, LOAD_SETTINGS)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["HOST"] == "postgres"
    assert loaded["NAME"] == environment_of(services["postgres"])["POSTGRES_DB"]
    assert loaded["CELERY_BROKER_URL"] == compose_env["REDIS_URL"]
    assert loaded["KMS_SEARCH_BACKEND"] == "elasticsearch"
    assert loaded["ELASTICSEARCH_URL"] == compose_env["ELASTICSEARCH_URL"]
    assert Path(loaded["STATIC_ROOT"]) == ROOT / "staticfiles"  # built into the image
    assert data_dir == "/data"


def test_the_demo_files_kms_demo_loads_ship_with_the_image() -> None:
    from content.management.commands.kms_demo import DEMO_FILES

    for name in DEMO_FILES:
        assert (ROOT / "demo" / name).exists()
        assert not dockerignored(f"demo/{name}")
