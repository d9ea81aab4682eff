"""Production: refuses to start without the variables a real deployment must set."""

from django.core.exceptions import ImproperlyConfigured

from kms.settings.environment import env

_missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS") if not env(name)]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + " (see the configuration table in README.md)."
    )

if env("KMS_SEARCH_BACKEND") == "elasticsearch" and not env("ELASTICSEARCH_URL"):
    raise ImproperlyConfigured("KMS_SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL.")

from kms.settings.base import *  # noqa: E402, F403

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Secure cookies only when the site is served over HTTPS, or logins over plain HTTP fail.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = WAGTAILADMIN_BASE_URL.startswith("https://")
# whitenoise serves the collected static files (runserver does it in development).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
