"""Every environment variable KMS reads, documented in one place.

Invariant: settings read the environment only through :func:`env`, and :func:`env`
refuses a name that is not declared in :data:`VARIABLES`. The README's configuration
table and docker-compose.yml are checked against this registry by the test suite.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

#: name -> (default shown in docs, description)
VARIABLES: dict[str, tuple[str, str]] = {
    "DJANGO_SETTINGS_MODULE": (
        "kms.settings.dev",
        "Settings module: `kms.settings.dev`, `kms.settings.test` or `kms.settings.production`.",
    ),
    "KMS_DATA_DIR": (
        "./var",
        "Where the embedded default keeps its SQLite file, search index, media and static files.",
    ),
    "DATABASE_URL": (
        "sqlite:///$KMS_DATA_DIR/kms.sqlite3",
        "Database, e.g. `postgresql://kms:kms@db:5432/kms`. Required in production.",
    ),
    "REDIS_URL": (
        "unset",
        "Redis for the Celery broker and the cache. Unset: tasks run eagerly in-process "
        "and the cache is local memory.",
    ),
    "KMS_SEARCH_BACKEND": ("embedded", "`embedded` (tantivy on local disk) or `elasticsearch`."),
    "ELASTICSEARCH_URL": (
        "unset",
        "Elasticsearch 8/9 cluster URL; required when `KMS_SEARCH_BACKEND=elasticsearch`.",
    ),
    "SECRET_KEY": ("dev-only key", "Django secret key. Required in production."),
    "ALLOWED_HOSTS": (
        "localhost,127.0.0.1",
        "Comma-separated host names the web server answers to. Required in production.",
    ),
    "CSRF_TRUSTED_ORIGINS": (
        "unset",
        "Comma-separated origins (`https://kms.example.com`) allowed to post admin forms.",
    ),
    "KMS_BASE_URL": (
        "http://127.0.0.1:8000",
        "Public base URL of the admin, used in notification e-mails and links.",
    ),
    "KMS_LOG_LEVEL": ("INFO", "Log level of the `kms`, `content`, `search` and `api` loggers."),
    "EMAIL_URL": (
        "unset",
        "SMTP server as `smtp://user:password@host:587` for workflow notifications. "
        "Unset: e-mails are written to the log.",
    ),
}


class UndeclaredVariable(KeyError):
    """Raised when code asks for an undeclared environment variable."""


def env(name: str, default: str | None = None) -> str | None:
    """Return the variable `name` from the environment, or `default`.

    Empty strings count as unset, so `FOO=` in a compose file behaves like no FOO.
    """
    if name not in VARIABLES:
        raise UndeclaredVariable(f"{name} is not declared in kms.settings.environment.VARIABLES")
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated variable as a list of non-empty, stripped items."""
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def data_dir() -> Path:
    """The embedded default's data directory, created on first use."""
    path = Path(env("KMS_DATA_DIR", str(BASE_DIR / "var")) or "").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
