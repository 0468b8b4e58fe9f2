"""Health of the parts the API needs: database, cache, job engine (GET /api/v1/health).

Each probe is short and never raises; failures are logged with their cause and reported only
as ``down`` (no internals in a public answer).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

OK, DOWN = "ok", "down"


def _timed(probe: Callable[[], dict | None], name: str) -> dict:
    started = time.perf_counter()
    try:
        extra = probe() or {}
    except Exception:  # a probe reports, it never raises
        logger.exception("health check %s failed", name)
        return {"status": DOWN, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    return {"status": OK, "latency_ms": round((time.perf_counter() - started) * 1000, 1), **extra}


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"engine": connection.vendor}


def _cache() -> dict:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)
    backend = settings.CACHES["default"]["BACKEND"]
    return {"backend": "redis" if "redis" in backend.lower() else "local-memory"}


def _jobs() -> dict:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return {"mode": "inline"}  # embedded default: jobs run in-process, nothing to reach
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=1, transport_options={"socket_timeout": 1}) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return {"mode": "celery"}


def health_report() -> dict:
    """``{"status": "ok"|"down", "checks": {database, cache, jobs}}``."""
    checks = {
        "database": _timed(_database, "database"),
        "cache": _timed(_cache, "cache"),
        "jobs": _timed(_jobs, "jobs"),
    }
    status = OK if all(c["status"] == OK for c in checks.values()) else DOWN
    return {"status": status, "checks": checks}
