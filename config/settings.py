"""Lyceum settings, read from the environment (12-factor).

DATABASE_URL  database (default: SQLite file db.sqlite3 beside manage.py)
REDIS_URL     cache, throttles, Celery broker and results (unset: local-memory cache and
              tasks run in-process, "the embedded default")
SECRET_KEY    required when DEBUG is off
DEBUG         "1"/"true" to enable debug
ALLOWED_HOSTS comma-separated host names
TRUSTED_PROXIES addresses/CIDR networks of the proxies whose X-Forwarded-For is believed
DB_PREPARED_STATEMENTS "0" to stop PostgreSQL preparing the hot statements (a pooler in
              transaction mode); the rest are in docs/operations.md
"""

import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dj_database_url

from config.environment import EnvironmentSettingError

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Read a comma-separated list of IP addresses and CIDR networks; refuse a bad entry."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise EnvironmentSettingError(
                f"{name}: {item!r} is not an IP address or CIDR network."
            ) from None
    return tuple(networks)


INSECURE_SECRET_KEY = "lyceum-insecure-development-key-do-not-use-in-production"

DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("LYCEUM_TESTING", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or INSECURE_SECRET_KEY
if not DEBUG and not TESTING and SECRET_KEY == INSECURE_SECRET_KEY:
    raise EnvironmentSettingError(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        '(for local development: DEBUG=1, or make manage ARGS="...").'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if TESTING:
    ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "csp",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.schools",
    "apps.catalog",
    "apps.enrollments",
    "apps.commerce",
    "apps.community",
    "apps.webhooks",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.DatabaseBusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.ChunkedBodyMiddleware",
    "apps.core.middleware.BodySizeLimitMiddleware",
    "apps.core.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves concurrent requests (runserver threads, the scheduler
    # thread) from one file (Django's "SQLite notes"). WAL lets readers and the one writer
    # proceed together; IMMEDIATE takes the write lock when a transaction starts, so a
    # second writer waits up to `timeout` seconds for it (busy timeout) instead of failing
    # at once with "database is locked" when it upgrades a read to a write. A lock still
    # held after that answers 503 with Retry-After (apps.core.errors).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("DB_PREPARED_STATEMENTS", default=True):
    # The statements Lyceum runs on every request (apps.core.prepared) are prepared by the
    # server once per connection, so later runs skip parsing and planning. Every other
    # query binds on the client as before: only a server-binding cursor asking for it
    # prepares. Off (0) behind a pooler in transaction mode that cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
# Accounts are per school, so an e-mail is unique per school only: sign-in goes through
# the backend that takes the school (apps/schools/accounts.py).
AUTHENTICATION_BACKENDS = ["apps.schools.backends.SchoolAccountBackend"]
# auth.W004: USERNAME_FIELD (email) is not unique on its own, by design (see above).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hosted files (assets, package contents) live under MEDIA_ROOT, or in an S3-compatible
# bucket when STORAGE_BUCKET is set (django-storages; credentials from STORAGE_ACCESS_KEY_ID
# and STORAGE_SECRET_ACCESS_KEY, or the machine's role when both are unset). Files are
# private: links to them are presigned by the store for CATALOG_DOWNLOAD_URL_SECONDS.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", "").strip() or str(BASE_DIR / "media")
STORAGE_BUCKET = os.environ.get("STORAGE_BUCKET", "").strip()
if STORAGE_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": os.environ.get("STORAGE_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("STORAGE_REGION", "").strip() or None,
            "access_key": os.environ.get("STORAGE_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": os.environ.get("STORAGE_SECRET_ACCESS_KEY", "").strip() or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Request bodies over 1 MiB are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
LYCEUM_MAX_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
# An assignment submission's file may hold this many bytes (multipart upload); its route
# takes bodies up to that plus the 1 MiB of the other fields, every other route 1 MiB.
LYCEUM_ASSIGNMENT_MAX_FILE_BYTES = int(
    os.environ.get("ASSIGNMENT_MAX_FILE_BYTES", str(25 * 1024 * 1024))
)
LYCEUM_UPLOAD_ROUTES = (
    (
        r"^/api/v1/lessons/[^/]+/submissions/?$",
        LYCEUM_ASSIGNMENT_MAX_FILE_BYTES + LYCEUM_MAX_BODY_BYTES,
    ),
)

# A list's ``count`` is exact up to this many rows; above it, PostgreSQL's planner estimate
# (apps/core/pagination.py), so counting costs the same at any table size.
LYCEUM_EXACT_COUNT_LIMIT = int(os.environ.get("LIST_EXACT_COUNT_LIMIT", "10000"))

# --- Catalog ------------------------------------------------------------------------------
# An uploaded e-learning package (SCORM, xAPI, AICC zip) may expand to at most this many
# bytes and members; past either it is refused before or while extracting (zip bombs).
LYCEUM_PACKAGE_MAX_BYTES = int(os.environ.get("PACKAGE_MAX_BYTES", str(2 * 1024**3)))
LYCEUM_PACKAGE_MAX_MEMBERS = int(os.environ.get("PACKAGE_MAX_MEMBERS", "20000"))
# Assets and packages are fetched from the URL a school gives, through the SSRF-safe fetcher:
# at most this many bytes, the whole download within this many seconds, https only unless
# CATALOG_IMPORT_ALLOW_HTTP; private addresses only for local development and tests.
LYCEUM_ASSET_MAX_BYTES = int(os.environ.get("ASSET_MAX_BYTES", str(5 * 1024**3)))
LYCEUM_PACKAGE_MAX_DOWNLOAD_BYTES = int(os.environ.get("PACKAGE_MAX_DOWNLOAD_BYTES", str(1024**3)))
CATALOG_IMPORT_TIMEOUT = float(os.environ.get("CATALOG_IMPORT_TIMEOUT", "1800"))
CATALOG_IMPORT_ALLOW_HTTP = env_bool("CATALOG_IMPORT_ALLOW_HTTP", default=False)
CATALOG_IMPORT_ALLOW_PRIVATE = env_bool("CATALOG_IMPORT_ALLOW_PRIVATE", default=False)
# Signed download links of hosted files stay valid this long (Skilljar: one hour).
CATALOG_DOWNLOAD_URL_SECONDS = 3600
# Signed links to a payment's invoice stay valid this long (apps/commerce/invoice_links.py).
COMMERCE_INVOICE_LINK_SECONDS = int(os.environ.get("COMMERCE_INVOICE_LINK_SECONDS", "3600"))
# Promo codes a bulk generation inserts per statement (and per progress step of its job).
PROMO_CODES_BULK_BATCH = int(os.environ.get("PROMO_CODES_BULK_BATCH", "10000"))
# A generation without progress for this long is queued again (its worker died with it).
PROMO_CODES_BULK_STALL_SECONDS = float(os.environ.get("PROMO_CODES_BULK_STALL_SECONDS", "60"))

# --- Cache, Redis and Celery -------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Every web and worker process must share it (rate limits, the outbox's
            # dispatcher wake-up); CACHE_URL puts it in another Redis database than the broker.
            "LOCATION": os.environ.get("CACHE_URL", "").strip() or REDIS_URL,
            "KEY_PREFIX": "lyceum",
        }
    }
else:
    # Rate-limit counters live here: see apps/core/memory_cache.py for why not LocMemCache.
    CACHES = {
        "default": {
            "BACKEND": "apps.core.memory_cache.LocalMemoryCache",
            "LOCATION": "lyceum",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100000"))},
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker outage must not hang a web request: publishing gives up quickly and the
# outbox sweep re-kicks whatever was not sent.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TIMEZONE = "UTC"
# One queue name per deployment (or per integration test, which runs its own worker).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")

# --- Webhooks (see README "Webhooks") ----------------------------------------------------
# Loopback and private (RFC 1918, fc00::/7) targets: for local development and tests ONLY.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Plain-http target URLs (https is required otherwise).
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", default=False)
# Attempts per delivery and the window they are spread over (exponential backoff + jitter).
WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "8"))
WEBHOOKS_RETRY_WINDOW_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_WINDOW_SECONDS", "86400"))
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))
# How long a worker owns an attempt; a dead worker's attempt is retried after it.
WEBHOOKS_LEASE_SECONDS = float(os.environ.get("WEBHOOKS_LEASE_SECONDS", "60"))
# Attempts in flight at once per endpoint, so a slow receiver cannot take every worker.
WEBHOOKS_ENDPOINT_CONCURRENCY = int(os.environ.get("WEBHOOKS_ENDPOINT_CONCURRENCY", "1"))
# Seconds between runs of the task that queues due retries and expired leases.
WEBHOOKS_PUMP_INTERVAL = float(os.environ.get("WEBHOOKS_PUMP_INTERVAL", "5"))
WEBHOOKS_DELIVERY_RETENTION_DAYS = int(os.environ.get("WEBHOOKS_DELIVERY_RETENTION_DAYS", "30"))
CELERY_BEAT_SCHEDULE = {
    "core.sweep_events": {"task": "core.sweep_events", "schedule": 30.0},
    "core.prune_idempotency_keys": {"task": "core.prune_idempotency_keys", "schedule": 3600.0},
    "webhooks.pump": {"task": "webhooks.pump", "schedule": WEBHOOKS_PUMP_INTERVAL},
    "webhooks.prune_deliveries": {"task": "webhooks.prune_deliveries", "schedule": 86400.0},
    "commerce.training_credit_content_expire": {
        "task": "commerce.training_credit_content_expire",
        "schedule": 300.0,
    },
    "commerce.promo_codes_bulk_resume": {
        "task": "commerce.promo_codes_bulk_resume",
        "schedule": 30.0,
    },
    "commerce.renew_subscriptions": {"task": "commerce.renew_subscriptions", "schedule": 300.0},
}
# Days a past-due subscription keeps its access after its period ended, unpaid, before the
# renewal sweep cancels it (docs/operations.md).
LYCEUM_SUBSCRIPTION_GRACE_DAYS = int(os.environ.get("LYCEUM_SUBSCRIPTION_GRACE_DAYS", "7"))
# Run CELERY_BEAT_SCHEDULE in a thread of the serving process when REDIS_URL is unset
# (make run sets it; apps/core/scheduler.py). With Redis, run `celery beat` instead.
LYCEUM_EMBEDDED_SCHEDULER = env_bool("LYCEUM_EMBEDDED_SCHEDULER", default=False)
# Mount the benchmark's raw-SQL baseline views under /bench/ (make bench only).
LYCEUM_BENCH_BASELINE = env_bool("LYCEUM_BENCH_BASELINE", default=False)

# --- REST framework ----------------------------------------------------------------------
# API times: ISO 8601 in UTC with microseconds and Z. "%Y" does not zero-pad years before
# 1000 ("493-08-18T..." is not ISO 8601); glibc's "%4Y" does, so use it where it works.
API_DATETIME_FORMAT = (
    "%4Y-%m-%dT%H:%M:%S.%fZ"
    if datetime(1, 1, 1, tzinfo=UTC).strftime("%4Y") == "0001"
    else "%Y-%m-%dT%H:%M:%S.%fZ"
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.schools.authentication.ApiKeyAuthentication",
        "apps.schools.authentication.UserTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttling.CredentialRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.filters.UpdatedSinceFilter",
        "apps.core.filters.DjangoFilterBackend",
        "apps.core.filters.SearchFilter",
    ],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 100,
    "DATETIME_FORMAT": API_DATETIME_FORMAT,
    "COERCE_DECIMAL_TO_STRING": True,
    "URL_FORMAT_OVERRIDE": None,
}

# The reverse proxies in front of Lyceum (e.g. "10.0.0.0/8,127.0.0.1"): only their
# X-Forwarded-For entries are believed when finding a client's address (rate limits, logs).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Requests per minute, per credential (API key or user) and on the token endpoints.
LYCEUM_RATE_LIMITS = {
    "credential": int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "1200")),
    "anonymous": int(os.environ.get("API_ANON_RATE_LIMIT_PER_MINUTE", "120")),
    "auth": int(os.environ.get("AUTH_RATE_LIMIT_PER_MINUTE", "60")),
    "auth_address": int(os.environ.get("AUTH_ADDRESS_RATE_LIMIT_PER_MINUTE", "300")),
    # Starting a quiz attempt, per person (Learnomy limits quiz start so).
    "quiz_start": int(os.environ.get("QUIZ_START_RATE_LIMIT_PER_MINUTE", "60")),
    # Validating a promo code, per credential (Learnomy limits coupon validation so).
    "promo_code_validate": int(os.environ.get("PROMO_CODE_VALIDATE_RATE_LIMIT_PER_MINUTE", "60")),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "typ",
    "JTI_CLAIM": "jti",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lyceum API",
    "DESCRIPTION": (
        "Self-hosted learning-management API. Authenticate with a school API key "
        "(`Authorization: Bearer sk_live_...`, or HTTP Basic with the key as username) "
        "or a user JWT from `POST /api/v1/auth/token`."
    ),
    "VERSION": "1.0.0",
    # No validator badge: it would send the schema's address to swagger.io from an image
    # the Content-Security-Policy refuses.
    # Tags start collapsed, with a filter box: expanding every one of a hundred operations
    # on load kept the page rendering for tens of seconds.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "validatorUrl": None,
        "docExpansion": "none",
        "filter": True,
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI comes from the pinned drf-spectacular-sidecar through our static files,
    # not a CDN's @latest: the docs work offline, change only with a pin, and the
    # Content-Security-Policy needs no other host (apps/core/api/docs.py).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DeliveryStatusEnum": "apps.webhooks.models.Delivery.Status",
        "DeliveryErrorEnum": "apps.webhooks.models.DeliveryError",
        "WebhookEventEnum": "apps.webhooks.event_types.SUBSCRIBABLE_NAMES",
        # PASSED/FAILED, for success_status and validation_status alike.
        "SuccessStatusEnum": "apps.enrollments.models.progress.SuccessStatus",
        # SUBMITTED/GRADED of assignment submissions (other resources have a "state" too).
        "SubmissionStateEnum": "apps.enrollments.models.assignments.SubmissionState",
        "ImportStateEnum": "apps.catalog.models.content.ImportState",
        # A purchase's state (also the enrollment purchase block's), what PUT/PATCH may set
        # it to, the outcomes fulfil takes, and an affiliate commission's payout state.
        "PurchaseStateEnum": "apps.enrollments.models.purchase.PurchaseState",
        "PurchaseUpdateStateEnum": "apps.commerce.api.purchases.UPDATE_STATES",
        "PurchaseFulfilStateEnum": "apps.commerce.api.purchases.FULFIL_STATES",
        "PayoutStateEnum": "apps.commerce.selectors.affiliates.PAYOUT_STATES",
        # member/moderator of a community space (a school member's role is another set).
        "SpaceMemberRoleEnum": "apps.community.models.SpaceMember.Role",
        "MemberRoleEnum": "apps.schools.models.Member.Role",
        # course/path/bundle/plan/subscription: a product's type and the product_type asked for.
        "ProductTypeEnum": "apps.commerce.api.products.PRODUCT_TYPE_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.add_error_responses",
        "apps.core.schema.describe_query_values",
    ],
}

# --- E-mail ------------------------------------------------------------------------------
# Invite e-mails carry a working sign-in link, so outside DEBUG they must go somewhere the
# operator chose: a real backend (SMTP below) or files under EMAIL_FILE_PATH, never the
# console backend, which would print every link to the log.
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "").strip() or None
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.filebased.EmailBackend" if EMAIL_FILE_PATH else CONSOLE_EMAIL_BACKEND
)
if not DEBUG and not TESTING and EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
    raise EnvironmentSettingError(
        "EMAIL_BACKEND is the console backend, which would print invite links to the log: "
        "outside DEBUG set EMAIL_BACKEND (e.g. django.core.mail.backends.smtp.EmailBackend "
        "with EMAIL_HOST) or EMAIL_FILE_PATH (a directory for the e-mails)."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Lyceum <no-reply@localhost>")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Where people reach this server: links in e-mails (invite activation) start with it. The
# local default would send production's invitees to their own machine, so it is required
# outside DEBUG.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").strip()
if not PUBLIC_URL and not DEBUG and not TESTING:
    raise EnvironmentSettingError(
        "PUBLIC_URL must be set outside DEBUG to the address people reach Lyceum at "
        "(e.g. https://lyceum.example.com): invite links start with it."
    )
if PUBLIC_URL and not PUBLIC_URL.startswith(("https://", "http://")):
    raise EnvironmentSettingError(
        f"PUBLIC_URL must start with https:// or http://, not {PUBLIC_URL!r}."
    )
LYCEUM_PUBLIC_URL = (PUBLIC_URL or "http://127.0.0.1:8000").rstrip("/")
# Invite links expire after this many days and work once.
LYCEUM_INVITE_DAYS = int(os.environ.get("INVITE_DAYS", "7"))

# --- Security (checked by `manage.py check --deploy`) ------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/ping/?$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Admin messages (a new API key's secret among them) are kept in the server-side session,
# never in Django's default cookie, which is signed but readable by anyone who holds it.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: pages (admin, API docs, invite
# pages) run scripts and styles from this site only, with no inline script or style, so
# injected markup cannot run. The API docs page adds the host Swagger UI's files come from
# when they are not self-hosted (apps/core/api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the small SVG icons Swagger UI's stylesheet embeds.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Logging: one line per request ------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "celery.app.trace": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
    },
}
