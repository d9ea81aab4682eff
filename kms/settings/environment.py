"""Every environment variable KMS reads, documented in one place.

Invariant: settings read the environment only through :func:`env`, and :func:`env`
refuses a name that is not declared in :data:`VARIABLES`. The README's configuration
table and docker-compose.yml are checked against this registry by the test suite.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

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
        "and the cache is on local disk under `$KMS_DATA_DIR/cache`, shared by every "
        "process.",
    ),
    "KMS_SEARCH_BACKEND": ("embedded", "`embedded` (tantivy on local disk) or `elasticsearch`."),
    "ELASTICSEARCH_URL": (
        "unset",
        "Elasticsearch 8/9 cluster URL; required when `KMS_SEARCH_BACKEND=elasticsearch`.",
    ),
    "KMS_SEARCH_INDEX_PREFIX": (
        "kms-articles",
        "Elasticsearch index and alias name prefix (versioned indices behind "
        "`PREFIX-read` and `PREFIX-write`).",
    ),
    "KMS_SEARCH_SEMANTIC": (
        "true",
        "Whether search also ranks by meaning (sentence vectors of the bundled model, about "
        "10 ms a question); `false` ranks by words only and loads no model.",
    ),
    "SECRET_KEY": (
        "dev-only key",
        "Django secret key. Required in production: at least 50 characters, at least 5 of "
        "them different, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
    ),
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
    "KMS_PLAIN_HTTP": (
        "false",
        "Production only: `true` serves plain HTTP (no redirect to HTTPS, no HSTS, cookies "
        "sent without `Secure`), for a local stack with no TLS in front. Leave unset behind "
        "a TLS terminator, which must set `X-Forwarded-Proto`.",
    ),
    "KMS_API_RATE_PER_MINUTE": (
        "6000",
        "Requests one API key may make per minute unless the key sets its own limit "
        "(over it: 429 with `Retry-After`).",
    ),
    "KMS_QUERY_LOG_DAYS": (
        "90",
        "Days the query log keeps each search, suggest and answer call (digit runs masked; "
        "pruned hourly).",
    ),
    "KMS_CORS_ORIGINS": (
        "unset",
        "Comma-separated origins (`https://agent-desktop.example.com`) whose pages may call "
        "the API from a browser, such as the `<kms-search>` widget in an agents' tool. "
        "Unset: none.",
    ),
    "KMS_WIDGET_DEMO": (
        "true in dev, false otherwise",
        "Whether `/widget/demo/` serves the widget demo page with the demo key that "
        "`manage.py kms_widget_demo` keeps in `$KMS_DATA_DIR`.",
    ),
    "KMS_WEBHOOK_TIMEOUT": ("5", "Seconds a webhook receiver has to answer a delivery."),
    "KMS_WEBHOOK_ALLOW_PRIVATE": (
        "true (production: false)",
        "Whether webhooks may be sent to hosts with an address that is not a public "
        "internet one (loopback, private, link-local, shared). Production refuses them "
        "unless this is `true`.",
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


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; anything but true/false (1/0, yes/no, on/off) is refused.

    A typo must not silently pick a side: these switches change security settings.
    """
    value = env(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def data_dir() -> Path:
    """The embedded default's data directory, created on first use."""
    path = Path(env("KMS_DATA_DIR", str(BASE_DIR / "var")) or "").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
