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

# Key changes take effect at once in tests (api.memo; 5 s elsewhere).
KMS_API_MEMO_SECONDS = 0.0
# The query log is written when a test flushes it (api.analytics.flush), in the test's
# own transaction, not by a background thread.
KMS_ANALYTICS_FLUSH_SECONDS = None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A database file, as in the embedded default: a test's background threads (webhook
    # senders) then wait for a write lock like a real install's do. Django's in-memory
    # test database shares one cache between threads, where a busy table fails at once
    # ("database table is locked") instead of waiting.
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"kms-test-{os.getpid()}.sqlite3")
    }

# Ranking by meaning embeds every article an indexer batch publishes (~0.1 s each): off
# here; the tests of it (tests/search/test_semantic.py) switch it on for themselves.
KMS_SEARCH_SEMANTIC = {**KMS_SEARCH_SEMANTIC, "enabled": False}
