"""The Dockerfile builds an image that runs KMS, and .dockerignore keeps local state out."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any

from tests.deployment.files import (
    ROOT,
    bind_address,
    command_of,
    dockerfile_args,
    dockerfile_env,
    dockerignored,
    exec_form,
    leading_assignments,
    wsgi_target_exists,
)
from tests.deployment.processes import PRODUCTION_SETTINGS, clean_environ, load_settings


def test_dockerfile_builds_on_python_3_11() -> None:
    froms = dockerfile_args("FROM")
    assert froms
    # `FROM [--platform=...] image [AS stage]`: the last stage is the image that runs.
    tokens = [token for token in shlex.split(froms[-1]) if not token.startswith("--")]
    final = tokens[0]
    assert re.fullmatch(r"(docker\.io/(library/)?)?python:3\.11([.\d]*)(-slim)?(-\w+)?", final), (
        f"the image runs {final}, not Python 3.11 (the version the lock file was made for)"
    )


def test_dockerfile_installs_the_pinned_requirements() -> None:
    installs = [args for args in dockerfile_args("RUN") if "pip install" in args]
    assert installs, "the Dockerfile installs no requirements"
    pairs = set(itertools.pairwise(shlex.split(installs[0])))
    assert ("-r", "requirements.txt") in pairs
    assert ("-c", "requirements.lock") in pairs, "without the lock, pip picks new versions"


def test_dockerfile_copies_files_that_exist() -> None:
    for arguments in dockerfile_args("COPY") + dockerfile_args("ADD"):
        if any(token.startswith("--from") for token in shlex.split(arguments)):
            continue
        tokens = [token for token in shlex.split(arguments) if not token.startswith("--")]
        sources = json.loads(arguments)[:-1] if arguments.startswith("[") else tokens[:-1]
        for source in sources:
            if source == ".":
                continue
            assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
            assert not dockerignored(source), f"{source} is copied but .dockerignore drops it"


def test_the_image_runs_production_settings_as_a_user_with_a_data_volume() -> None:
    env = dockerfile_env()
    assert env.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS
    assert env.get("KMS_DATA_DIR") == "/data"
    assert "/data" in " ".join(dockerfile_args("VOLUME"))
    users = dockerfile_args("USER")
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_static_files_are_collected_with_throw_away_values_the_settings_accept(
    tmp_path: Path,
) -> None:
    collect = [args for args in dockerfile_args("RUN") if "collectstatic" in args]
    assert collect, "static files are not collected at build time"
    build_env = leading_assignments(collect[0])
    environ = {**clean_environ(tmp_path), **dockerfile_env(), **build_env}
    environ["KMS_DATA_DIR"] = str(tmp_path / "data")  # /data exists only in the image

    loaded = load_settings(environ, ["DEBUG"])

    assert loaded.process.returncode == 0, (
        f"`docker build` would fail: collectstatic's settings refuse {sorted(build_env)}\n"
        + loaded.process.stderr
    )


def test_no_secret_key_is_baked_into_the_image() -> None:
    assert "SECRET_KEY" not in dockerfile_env()
    assert not any("SECRET_KEY" in args for args in dockerfile_args("ARG"))


def test_the_default_command_serves_the_wsgi_application(
    services: dict[str, dict[str, Any]],
) -> None:
    cmds = dockerfile_args("CMD")
    assert cmds, "`docker run kms` would start nothing"
    default = exec_form(cmds[-1])
    assert wsgi_target_exists(default) == wsgi_target_exists(command_of(services["web"]))
    assert bind_address(default).startswith("0.0.0.0:")


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    for path in (".git", ".venv", ".env", "var", "kms/__pycache__/x.pyc"):
        assert dockerignored(path), f"{path} would be sent to the build"
    for path in ("kms/settings/production.py", "manage.py", "requirements.lock", "demo"):
        assert not dockerignored(path), f"{path} would be missing from the image"
