"""Settings shared by every run mode; all configuration comes from the environment.

See kms/settings/environment.py for the variables and their defaults. The embedded
default (no variables set) is SQLite + tantivy under KMS_DATA_DIR + eager Celery tasks.
"""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kms.settings.environment import BASE_DIR, data_dir, env, env_bool, env_list

DATA_DIR = data_dir()

SECRET_KEY = env("SECRET_KEY", "kms-dev-only-secret-key-not-for-production")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "kms",
    "content",
    "search",
    "api",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # outermost: every API response, errors and preflights included, carries the CORS
    # headers an allowed origin needs to read it
    "corsheaders.middleware.CorsMiddleware",
    "api.errors.ApiErrorMiddleware",  # every error under /api/ stays JSON
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kms.middleware.ContentTransactionMiddleware",
]

ROOT_URLCONF = "kms.urls"
WSGI_APPLICATION = "kms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kms.sqlite3'}") or "",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the admin read while an import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a long-lived connection is checked first
# Every request that may write is one content transaction (kms.middleware): an admin
# publish commits the live revision, the snapshot and the change event together or not
# at all, and is retried whole on a deadlock.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The admin speaks Chinese whatever the browser asks for (no LocaleMiddleware); each user
# may switch to English in their account preferences.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"  # part of the build, not of the data
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Wagtail -------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "KMS 知识库"
WAGTAILADMIN_BASE_URL = env("KMS_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "zip"]
# The admin's search (search.admin_search): Wagtail's own full-text backend for the
# database, fed with the readers' text analysis, so editors find Chinese words (traditional
# or simplified), ranked, drafts included. Any other database gets Wagtail's substring
# fallback. WEIGHTS: what a match counts in the title, the other fields, and as written.
_ADMIN_SEARCH = {
    "django.db.backends.sqlite3": "search.admin_search.sqlite",
    "django.db.backends.postgresql": "search.admin_search.postgres",
}
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": _ADMIN_SEARCH.get(
            DATABASES["default"]["ENGINE"], "wagtail.search.backends.database.fallback"
        ),
        "WEIGHTS": {"title": 2.0, "body": 1.0, "grams": 0.5},
    },
}

# --- Cache and Celery ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kms",
        },
        "throttle": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kms-throttle",
        },
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # One cache on local disk that every process of the embedded default shares (several
    # web processes must see the same article versions: content.cache); per-key request
    # counts stay in each process's memory.
    CACHES = {
        "default": {
            "BACKEND": "kms.cache_backends.SharedDiskCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "SHARDS": 4,
            "DATABASE_TIMEOUT": 0.25,
            "OPTIONS": {"size_limit": 2**30},
        },
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Time-driven changes reach the log within 10 s of their time; the sweep catches lost nudges.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "time-driven-changes": {"task": "content.tasks.time_driven_changes_apply", "schedule": 10.0},
    "consumers-sweep": {"task": "content.tasks.consumers_run_all", "schedule": 5.0},
    "webhooks-sweep": {"task": "api.tasks.webhooks_sweep", "schedule": 2.0},
    "query-log-prune": {"task": "api.tasks.query_log_prune", "schedule": 3600.0},
    "review-reminders": {"task": "content.tasks.review_reminders_send", "schedule": 3600.0},
    # the cockpit's figures lag the query log by at most this
    "query-days-rollup": {"task": "api.tasks.query_days_rollup", "schedule": 60.0},
}
if CELERY_TASK_ALWAYS_EAGER:
    # the embedded default: what was published too many at once to embed in the publishing
    # thread waits in a backlog (search.signals); workers embed everything as it comes
    CELERY_BEAT_SCHEDULE["passages-embed-waiting"] = {
        "task": "search.tasks.passages_embed_waiting",
        "schedule": 10.0,
    }

# --- Search --------------------------------------------------------------------------
KMS_SEARCH_BACKEND = env("KMS_SEARCH_BACKEND", "embedded")
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
KMS_SEARCH_INDEX_DIR = DATA_DIR / "index"
KMS_SEARCH_INDEX_PREFIX = env("KMS_SEARCH_INDEX_PREFIX", "kms-articles")  # Elasticsearch
# How much a query word found in each field counts (search.queries): `text` is the whole
# article; a word in the title, a similar question or the summary (the short answer)
# counts a quarter more; `sound` is the pinyin of title, similar questions and summary,
# which forgives input-method slips; `grams` are the whole article's character bigrams,
# which match across segmentation differences. Chosen on the development splits
# (docs/benchmarks.md).
KMS_SEARCH_FIELD_BOOSTS = {
    "text": 1.0,
    "title": 0.25,
    "questions": 0.25,
    "summary": 0.25,
    "sound": 0.2,
    "grams": 0.5,
}
# A query word (or pinyin syllable, or bigram) held by more than `share` of the documents,
# and by more than `documents` of them, is common: it only adds to the score of documents
# a rarer word of the question brought in (search.queries). Chosen on the development
# splits, where it leaves the ranking as it was (docs/benchmarks.md).
KMS_SEARCH_COMMON = {"share": 0.1, "documents": 1000}
# Ranking by meaning (search.vectors): the engine's first `candidates` hits are reordered
# by their words' score blended with the closeness of their sentence vectors to the
# question's, `weight` the share of the latter (chosen on the development splits:
# docs/benchmarks.md); `enabled` false (KMS_SEARCH_SEMANTIC=false) ranks by words alone.
KMS_SEARCH_SEMANTIC = {
    "enabled": env_bool("KMS_SEARCH_SEMANTIC", True),
    "weight": 0.6,
    "candidates": 100,
}
# The answer endpoint: a logistic model of "this article answers the question" over what
# the best hit shares with it (search.confidence), fitted on the development splits by
# bench/answer_calibration.py; below the threshold the answer is null. docs/benchmarks.md
# has the precision/coverage curve the threshold was chosen from.
KMS_ANSWER_MODEL = {
    "bias": -3.646,
    "weights": {
        "title_coverage": 2.436,
        "text_coverage": 0.441,
        "closeness": 0.382,
        "margin": 3.021,
        "asked": 3.204,
    },
}
KMS_ANSWER_THRESHOLD = 0.4

# --- API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # `format` is the articles' own parameter (html, markdown, text), not a renderer's.
    "URL_FORMAT_OVERRIDE": None,
}
KMS_API_RATE_PER_MINUTE = int(env("KMS_API_RATE_PER_MINUTE", "6000") or 6000)
# How stale each web process's view of API keys and of the branch tree may be (api.memo):
# a revoked key is refused everywhere within this many seconds.
KMS_API_MEMO_SECONDS = 5.0
# The query log (api.analytics): every search, suggest and answer call, written in batches
# by each web process every this many seconds (None: only when flushed explicitly), and
# kept this many days.
# Browsers may call the API from these origins only (django-cors-headers); the key still
# decides what a page may read. Nothing else on the site is cross-origin.
CORS_ALLOWED_ORIGINS = env_list("KMS_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "if-none-match")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After")
KMS_WIDGET_DEMO = env_bool("KMS_WIDGET_DEMO", False)

KMS_ANALYTICS_FLUSH_SECONDS: float | None = 1.0
KMS_ANALYTICS_RETENTION_DAYS = int(env("KMS_QUERY_LOG_DAYS", "90") or 90)
SPECTACULAR_SETTINGS = {
    "TITLE": "KMS API",
    "DESCRIPTION": _("Read API of the KMS knowledge base."),
    "VERSION": "1.0.0",
    # The schema describes /api/v1/ only, never the DRF views Wagtail serves under /admin/.
    "PREPROCESSING_HOOKS": ["api.schema.public_endpoints_only"],
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "Channel": "content.models.articles.Channel",
        "Audience": "content.models.articles.Audience",
        "Action": "content.models.changelog.Action",
        "ProductLine": "content.models.taxonomy.ProductLine",
        "SaleStatus": "content.models.taxonomy.SaleStatus",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # The interactive docs' assets come from the project itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Webhooks: the seconds a receiver has to answer, the first retry's delay (doubling each
# time), the consecutive failures after which a subscription is paused, and whether
# receivers on internal addresses may be called.
KMS_WEBHOOK_TIMEOUT = float(env("KMS_WEBHOOK_TIMEOUT", "5") or 5)
KMS_WEBHOOK_BACKOFF = 2.0
KMS_WEBHOOK_MAX_FAILURES = 8
KMS_WEBHOOK_ALLOW_PRIVATE = env_bool("KMS_WEBHOOK_ALLOW_PRIVATE", True)

# --- E-mail (workflow notifications) -------------------------------------------------
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL:
    import urllib.parse

    _email = urllib.parse.urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = urllib.parse.unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = urllib.parse.unquote(_email.password or "")
    EMAIL_USE_TLS = EMAIL_PORT == 587
else:  # each e-mail a file to read, not a flood in the server's output
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = "kms@localhost"

# --- Logging: key=value lines ---------------------------------------------------------
LOG_LEVEL = env("KMS_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {"format": "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "filters": {"masked": {"()": "kms.logs.MaskedRequestLines"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        **{
            name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
            for name in ("kms", "content", "search", "api")
        },
        # runserver's request lines: what readers searched for, numbers masked
        "django.server": {
            "handlers": ["console"],
            "filters": ["masked"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
