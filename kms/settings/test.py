"""Tests: fast hashing, eager tasks, an in-memory cache; DATABASE_URL picks the database."""

from kms.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# Tests run tasks in-process even when REDIS_URL is set (the services tier); the tests
# that exercise a real worker switch this off for themselves.
CELERY_TASK_ALWAYS_EAGER = True

# Key and branch-tree changes take effect at once in tests (api.memo; 5 s elsewhere).
KMS_API_MEMO_SECONDS = 0.0
