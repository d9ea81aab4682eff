"""Reading docker-compose.yml, the Dockerfile and .dockerignore as their tools do."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

INFRA_SERVICES = ("postgres", "redis", "elasticsearch")
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_APP_SERVICES = ("web", "worker", "beat")


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


def load_compose(shell: Mapping[str, str]) -> dict[str, Any]:
    """The compose file as `docker compose` sees it when run from `shell`."""
    return interpolate_tree(load_raw_compose(), shell)


# --- Compose services -----------------------------------------------------------------


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


def healthcheck_test(service: Mapping[str, Any]) -> list[str]:
    """The healthcheck's test as a list (`CMD`/`CMD-SHELL` first); [] when there is none."""
    healthcheck = service.get("healthcheck") or {}
    test = healthcheck.get("test") or []
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    if healthcheck.get("disable") or (test and test[0] == "NONE"):
        return []
    return [str(part) for part in test]


# --- Python sources -------------------------------------------------------------------


def module_defines(path: Path, name: str) -> bool:
    """Whether the module at `path` binds `name` at top level."""
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


def wsgi_target_exists(argv: list[str]) -> str:
    """The `module:attribute` gunicorn would load from `argv`, checked to exist."""
    assert argv[0] == "gunicorn", f"not a gunicorn command: {argv}"
    target = next(arg for arg in argv[1:] if not arg.startswith("-") and ":" in arg)
    module, _, attribute = target.partition(":")
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    assert path.is_file(), f"gunicorn would import {module}, but {path} does not exist"
    assert module_defines(path, attribute), f"{path} defines no {attribute}"
    return target


def bind_address(argv: list[str]) -> str:
    for flag in ("--bind", "-b"):
        if flag in argv:
            return argv[argv.index(flag) + 1]
    bound = [arg.split("=", 1)[1] for arg in argv if arg.startswith("--bind=")]
    return bound[0] if bound else "127.0.0.1:8000"  # gunicorn's default


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


def leading_assignments(command: str) -> dict[str, str]:
    """The `NAME=value` words a shell command starts with (its own environment)."""
    assignments: dict[str, str] = {}
    for token in shlex.split(command):
        name, sep, value = token.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            break
        assignments[name] = value
    return assignments


# --- .dockerignore --------------------------------------------------------------------


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
