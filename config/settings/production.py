"""Production settings: everything of base plus the hardening `check --deploy` asks for."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    # SQLite and a per-process cache are for the embedded demo: in production the rate counters,
    # cache and job queue must be shared by every worker process.
    raise ImproperlyConfigured("DATABASE_URL (PostgreSQL) and REDIS_URL are required in production")
if not os.environ.get("INTERNAL_JWT_SECRET"):
    raise ImproperlyConfigured("INTERNAL_JWT_SECRET must be set in production (at least 32 bytes)")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters in production")
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Load balancers probe the health endpoint over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
