"""Settings read from the environment.

With no variables set the project runs on the embedded default: SQLite, an in-process cache
and jobs run in-process. ``DATABASE_URL`` switches to PostgreSQL (psycopg 3, Django's pool),
``REDIS_URL`` to django-redis for the cache and rate counters and Celery on Redis for jobs.
See docs/configuration.md for every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn ``postgres://user:pass@host:port/name?pool_max=10`` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme in {"sqlite", "sqlite3"}:
        path = unquote(parsed.path[1:]) if parsed.path.startswith("/") else parsed.path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or BASE_DIR / "db.sqlite3"}
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")
    query = parse_qs(parsed.query)
    pool_min = int(query.get("pool_min", ["1"])[0])
    pool_max = int(query.get("pool_max", [os.environ.get("DB_POOL_MAX", "8")])[0])
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Django's pool is per process: gunicorn workers x pool_max < max_connections.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "pool": {
                "min_size": pool_min,
                "max_size": pool_max,
                # short: with PostgreSQL down a request answers 503 in seconds, not 10-30 s
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", 3)),
            },
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", 3)),
            # JIT compiles for ~100 ms on the app's short OLTP queries and never pays back
            "options": "-c jit=off",
        },
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
    }


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-insecure-secret-key-change-me-0123456789-abcdefghijklmnop"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Internal service tokens (seed 000 X-Internal-Token) have their own key, never SECRET_KEY.
INTERNAL_JWT_SECRET = os.environ.get("INTERNAL_JWT_SECRET", "dev-internal-jwt-secret-change-me-at-least-32-bytes!!")
if len(INTERNAL_JWT_SECRET.encode()) < 32:
    raise ImproperlyConfigured("INTERNAL_JWT_SECRET must be at least 32 bytes long")
if INTERNAL_JWT_SECRET == SECRET_KEY:
    raise ImproperlyConfigured("INTERNAL_JWT_SECRET must differ from SECRET_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "accounts",
    "core",
    "customers",
    "commerce",
    "analytics",
    "recommendations",
    "ml",
    "imaging",
    "reports",
    "etl",
    # above every layer: demo data and benchmarks may import any app
    "demo",
    "bench",
]

MIDDLEWARE = [
    "core.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "customers.display.AdminUnmaskedNamesMiddleware",  # ADMIN sees names in related admin pages
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.ApiEnvelopeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko"
# project overrides of Django's Korean admin strings (locale/ko/LC_MESSAGES/django.po)
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("ko", "한국어"), ("en", "English")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve static files (admin, Swagger UI) straight from the apps when collectstatic has not run,
# so `make demo` works with DEBUG off; production runs collectstatic and serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# How many reverse proxies of ours stand in front of the app. 0: the client is REMOTE_ADDR.
# N > 0: the client is the N-th address from the right of X-Forwarded-For (accounts/network.py).
NUM_TRUSTED_PROXIES = int(os.environ.get("NUM_TRUSTED_PROXIES", 0))

# Request bodies over this size are answered 413 PAYLOAD_TOO_LARGE.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY_BYTES", 5 * 1024 * 1024))

# --- cache, rate counters -------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "wellness"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                # Reads fall back to the database when Redis is down (core.cache handles it).
                "IGNORE_EXCEPTIONS": False,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "wellness-embedded",
        }
    }

# axes.W006 warns that a lock-out keyed on something an attacker can rotate (user agent, cookie)
# is easy to bypass. Ours is keyed on the username, which an attacker cannot rotate for the
# account under attack; guessing across many usernames from one address is capped by the login
# throttle (10/min per IP, shared counters). We deliberately do not lock whole IP addresses: the
# staff of a center share one office address, and five typos would lock everyone out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if not REDIS_URL:
    # django-ratelimit wants a shared cache; the embedded default is one process by design.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Scope → rate overriding accounts/policy.py RATE_LIMITS, e.g. RATE_LIMIT_OVERRIDES=analytics=500/h,login=20/m
RATE_LIMIT_OVERRIDES = dict(item.split("=", 1) for item in env_list("RATE_LIMIT_OVERRIDES", []) if "=" in item)
# After a cache failure, skip the cache for this many seconds (reads go to the database).
CACHE_BREAKER_SECONDS = float(os.environ.get("CACHE_BREAKER_SECONDS", 30))

# --- jobs ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not bool(REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
CELERY_TIMEZONE = TIME_ZONE
# A job whose heartbeat is older than this is marked failed (worker died).
JOB_STALE_AFTER_SECONDS = int(os.environ.get("JOB_STALE_AFTER_SECONDS", 15 * 60))
# A broker outage must not hang the request that enqueues: fail fast, the job is marked failed.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE = {
    "reap-stale-jobs": {"task": "core.reap_stale_jobs", "schedule": 300.0},
}

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.InternalTokenAuthentication",
        "accounts.authentication.BearerJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RoutePolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # One throttle for every view: the route's rate_scope in accounts/policy.py, per principal.
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.PolicyRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.EnvelopeAutoSchema",
    "EXCEPTION_HANDLER": "accounts.exception_handler.audited_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", 10))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", 1))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "웰니스 센터 · K-푸드 샵 백오피스 API",
    "DESCRIPTION": (
        "웰니스 센터 고객 관리·분석·추천과 K-푸드 샵 분석 API입니다. 모든 응답은 공통 envelope"
        " (`success`, `data` 또는 `error`, `timestamp`, `request_id`) 형식입니다.\n\n"
        "- 인증: `POST /api/v1/auth/token` 으로 받은 토큰을 오른쪽 위 **Authorize** 에 `Bearer` 없이 붙여 넣으세요.\n"
        "- 역할(STAFF·MANAGER·ADMIN), 오류 코드, 마스킹, 감사 로그: 저장소의 `docs/platform.md`\n"
        "- 고객 API: `docs/customer-api.md` · 샵 분석 API: `docs/analytics-api.md`"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["accounts.permissions.IsStaffSessionOrToken"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.envelope_postprocessing_hook",
    ],
    # Swagger UI assets served locally (no CDN): works offline and under a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayRequestDuration": True},
    "ENUM_NAME_OVERRIDES": {
        # a choice set several output fields share: one name (customers/api/serializers.py)
        "ServiceTypeEnum": "customers.models.ServiceType",
    },
}

# --- lock-out (django-axes) ------------------------------------------------------------
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
# per username AND address together (anyone could lock anyone out by username alone);
# accounts/login_guard.py adds a per-username slow-down and an alert
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_SLOWDOWN_SECONDS = int(os.environ.get("LOGIN_SLOWDOWN_SECONDS", 10))
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Same client-address rule as audit rows and login limits (never a client-written header).
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# Role → admin model permissions of the groups 직원/매니저/관리자 (synced after every migrate).
ROLE_GROUP_PERMISSIONS = "accounts.backoffice.permissions.BACKOFFICE_PERMISSIONS"

# --- audit -----------------------------------------------------------------------------
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", 730))

# --- ML artifacts ----------------------------------------------------------------------
ML_THREADS = int(os.environ.get("ML_THREADS", 1))

# --- shop -------------------------------------------------------------------------------
# The shop's reporting currency (ISO 4217): every money figure of the shop is in it unless a
# caller asks for another recorded currency. Currencies are never summed together.
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "KRW").strip().upper()

# --- reports (docs/reports.md) ----------------------------------------------------------
# Report files live in the default storage: MEDIA_ROOT, or an S3-compatible bucket when
# REPORTS_S3_BUCKET is set (django-storages; credentials from the usual AWS_* variables).
REPORTS_RETENTION_DAYS = int(os.environ.get("REPORTS_RETENTION_DAYS", 90))
if os.environ.get("REPORTS_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["REPORTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("REPORTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("REPORTS_S3_REGION") or None,
            "location": os.environ.get("REPORTS_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Celery beat: last month's PDF on the 1st at 06:00, old report files removed daily.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["reports-last-month-pdf"] = {
    "task": "reports.request_last_month_pdf",
    "schedule": crontab(minute=0, hour=6, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["reports-expire-files"] = {"task": "reports.expire_files", "schedule": crontab(minute=30, hour=3)}
# The admin overview is computed ahead so no staff request waits for it (reports/overview.py).
OVERVIEW_REFRESH_SECONDS = int(os.environ.get("OVERVIEW_REFRESH_SECONDS", 300))
CELERY_BEAT_SCHEDULE["reports-refresh-overview"] = {
    "task": "reports.refresh_overview",
    "schedule": float(OVERVIEW_REFRESH_SECONDS),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIDFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # axes logs every login at INFO; failures and lock-outs are in the audit log already.
        "axes": {"level": "WARNING"},
    },
}

# --- security hardening (docs/security.md) -------------------------------------------------
# Keys for sealed audit values (raw search terms) and keyed hashes (typed login names); when
# unset they are derived from SECRET_KEY. Set it in production (docs/configuration.md).
AUDIT_SEAL_KEY = os.environ.get("AUDIT_SEAL_KEY", "")
# Search enumeration alert: more distinct search terms than this by one principal per window
SEARCH_ENUMERATION_LIMIT = int(os.environ.get("SEARCH_ENUMERATION_LIMIT", 30))
SEARCH_ENUMERATION_WINDOW = int(os.environ.get("SEARCH_ENUMERATION_WINDOW", 600))
# Sessions may be recorded at most this many days back (and never before the customer existed)
SESSION_BACKDATE_DAYS = int(os.environ.get("SESSION_BACKDATE_DAYS", 90))
IDEMPOTENCY_TTL_HOURS = int(os.environ.get("IDEMPOTENCY_TTL_HOURS", 24))
MAX_JSON_DEPTH = int(os.environ.get("MAX_JSON_DEPTH", 32))
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY") or (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- search index sync (etl, seed 000 §7; docs/etl.md) ------------------------------------
from celery.schedules import crontab  # noqa: E402

# Embedded default: tantivy indexes on disk. With SEARCH_URL the default target is the server
# (SEARCH_BACKEND = elasticsearch | opensearch).
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", BASE_DIR / "var" / "search"))
SEARCH_URL = os.environ.get("SEARCH_URL", "")
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "elasticsearch")
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "wellness")
ETL_BATCH_SIZE = int(os.environ.get("ETL_BATCH_SIZE", 2000))
ETL_FULL_BATCH_SIZE = int(os.environ.get("ETL_FULL_BATCH_SIZE", 10000))  # a full rebuild commits less often
# Rows changed less than this long ago wait for the next run (a transaction still open when
# the run starts must not fall behind the cursor).
ETL_SAFETY_LAG_SECONDS = float(os.environ.get("ETL_SAFETY_LAG_SECONDS", 2))
ETL_PRODUCTS_SYNC_SECONDS = float(os.environ.get("ETL_PRODUCTS_SYNC_SECONDS", 300))
CELERY_BEAT_SCHEDULE |= {
    "etl-products-incremental": {
        "task": "etl.sync_incremental",
        "schedule": ETL_PRODUCTS_SYNC_SECONDS,
        "kwargs": {"entity": "products"},
    },
    "etl-orders-incremental": {"task": "etl.sync_incremental", "schedule": 900.0, "kwargs": {"entity": "orders"}},
    # ratings come from reviews, which do not touch the product row: rebuilt nightly
    "etl-products-full-nightly": {
        "task": "etl.sync_incremental",
        "schedule": crontab(hour=3, minute=30),
        "kwargs": {"entity": "products", "mode": "full"},
    },
}

# --- imaging (seed 000 §5; docs/imaging.md) ----------------------------------------------
# Bytes of one image (URL download, streamed; uploads are also bound by MAX_BODY_BYTES above).
IMAGING_MAX_DOWNLOAD_BYTES = int(os.environ.get("IMAGING_MAX_DOWNLOAD_BYTES", 10 * 1024 * 1024))
# Pixels of one image, checked from the header before any decoding (decompression bombs).
IMAGING_MAX_PIXELS = int(os.environ.get("IMAGING_MAX_PIXELS", 50_000_000))
IMAGING_FETCH_CONNECT_TIMEOUT = float(os.environ.get("IMAGING_FETCH_CONNECT_TIMEOUT", 3))
IMAGING_FETCH_TOTAL_TIMEOUT = float(os.environ.get("IMAGING_FETCH_TOTAL_TIMEOUT", 10))
IMAGING_FETCH_MAX_REDIRECTS = int(os.environ.get("IMAGING_FETCH_MAX_REDIRECTS", 3))
# Host names (exactly as in the URL) that may resolve to private/loopback addresses, e.g. an
# internal image store. Empty by default: no URL may reach our own network.
IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = env_list("IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS", [])
IMAGING_MIN_RESOLUTION = int(os.environ.get("IMAGING_MIN_RESOLUTION", 800))
# Tesseract: seconds per call, and concurrent Tesseract processes per worker process.
IMAGING_OCR_TIMEOUT_SECONDS = float(os.environ.get("IMAGING_OCR_TIMEOUT_SECONDS", 30))
IMAGING_OCR_MAX_CONCURRENCY = int(os.environ.get("IMAGING_OCR_MAX_CONCURRENCY", 1))
# How long a request waits for a free Tesseract slot before answering 503.
IMAGING_OCR_QUEUE_SECONDS = float(os.environ.get("IMAGING_OCR_QUEUE_SECONDS", 20))

# --- review sentiment (docs/sentiment.md) ------------------------------------------------
# Training/evaluation corpora (NSMC, KoBEST SentiNeg); never copied into the project.
SENTIMENT_DATA_DIR = Path(os.environ.get("SENTIMENT_DATA_DIR", BASE_DIR.parent / "shared" / "data"))
# Optional: a local fine-tuned transformers model directory served instead of the trained model.
SENTIMENT_MODEL_PATH = os.environ.get("SENTIMENT_MODEL_PATH", "")
CELERY_BEAT_SCHEDULE["score-new-reviews"] = {"task": "ml.score_new_reviews", "schedule": 300.0}

# --- price optimiser (seed 000 §4.1; docs/pricing.md) -------------------------------------
# every product's price elasticity, nightly after the day's orders and the 03:30 search rebuild
CELERY_BEAT_SCHEDULE["price-elasticity-nightly"] = {
    "task": "ml.estimate_price_elasticity",
    "schedule": crontab(hour=4, minute=0),
}
