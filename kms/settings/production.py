"""Production: refuses to start misconfigured, and is secure by default behind TLS.

Invariants:
* the settings do not load without SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS, nor with a
  SECRET_KEY too short or too uniform to sign sessions and tokens safely;
* by default every request is expected over HTTPS (a TLS terminator in front sets
  X-Forwarded-Proto): plain HTTP is redirected, HSTS is sent, cookies are ``Secure``.
  Only ``KMS_PLAIN_HTTP=true`` turns that off, for a local stack with no TLS in front;
* ``manage.py check --deploy`` has nothing to warn about with the defaults.
"""

from django.core.exceptions import ImproperlyConfigured

from kms.settings.environment import env, env_bool

_REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")
# Django's own deploy check (security.W009) uses the same thresholds.
_KEY_MIN_LENGTH = 50
_KEY_MIN_UNIQUE = 5

_missing = [name for name in _REQUIRED if not env(name)]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + " (see the configuration table in README.md)."
    )

_key = env("SECRET_KEY") or ""
# Never echo the key itself: these messages end up in logs.
_GENERATE = "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
if _key.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "SECRET_KEY is one of Django's development keys (it starts with "
        f"'django-insecure-'). {_GENERATE}"
    )
if len(_key) < _KEY_MIN_LENGTH or len(set(_key)) < _KEY_MIN_UNIQUE:
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak: it must be at least {_KEY_MIN_LENGTH} characters "
        f"long with at least {_KEY_MIN_UNIQUE} different characters "
        f"(this one has {len(_key)} characters, {len(set(_key))} different). {_GENERATE}"
    )

if env("KMS_SEARCH_BACKEND") == "elasticsearch" and not env("ELASTICSEARCH_URL"):
    raise ImproperlyConfigured("KMS_SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL.")

from kms.settings.base import *  # noqa: E402, F403

DEBUG = False

# --- HTTPS ---------------------------------------------------------------------------
# The TLS terminator in front of gunicorn says which scheme the client used.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_plain_http = env_bool("KMS_PLAIN_HTTP", default=False)
SECURE_SSL_REDIRECT = not _plain_http
# HSTS is only sent on HTTPS responses. One year, the usual production value. It also
# covers the subdomains of the KMS host itself (never its siblings in the domain).
SECURE_HSTS_SECONDS = 0 if _plain_http else 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = not _plain_http
# Asking browsers to hard-code HTTPS for the whole registrable domain (the preload list,
# which is slow to leave) is the domain owner's decision, not an application default.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Secure cookies over plain HTTP would make every login and form post fail.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not _plain_http

# A webhook receiver on an internal address needs the operator's say-so.
KMS_WEBHOOK_ALLOW_PRIVATE = env_bool("KMS_WEBHOOK_ALLOW_PRIVATE", default=False)

# whitenoise serves the collected static files (runserver does it in development).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_security],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security:],
]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
