"""Health of the parts the API needs: database, cache, job engine.

- ``GET /api/v1/health/live`` (liveness): the process answers; no dependency is touched, so a
  Redis or PostgreSQL outage never makes an orchestrator restart healthy workers.
- ``GET /api/v1/health/ready`` and ``GET /api/v1/health`` (readiness): ``ok``; ``degraded``
  (200) when only the cache or the job engine is down — reads still answer from the database,
  so a load balancer must keep the instance; ``down`` (503) when the database is unreachable.

Each probe is short and never raises; a failure is logged once per outage (core/outages.py)
and reported only as ``down`` (no internals in a public answer).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .cache import breaker
from .outages import dependency_failed, dependency_ok

logger = logging.getLogger(__name__)

OK, DEGRADED, DOWN = "ok", "degraded", "down"
# Without these the API cannot answer at all; the others only make it slower or limited.
REQUIRED = ("database",)


def _timed(probe: Callable[[], dict | None], name: str) -> dict:
    started = time.perf_counter()
    try:
        extra = probe() or {}
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        dependency_failed(name, exc)
        return {"status": DOWN, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    dependency_ok(name)
    return {"status": OK, "latency_ms": round((time.perf_counter() - started) * 1000, 1), **extra}


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"engine": connection.vendor}


def _cache() -> dict:
    if breaker.is_open:
        # failed within CACHE_BREAKER_SECONDS: do not wait for another socket timeout
        raise RuntimeError("cache circuit breaker open")
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
    """``{"status": "ok"|"degraded"|"down", "checks": {database, cache, jobs}}``."""
    checks = {
        "database": _timed(_database, "database"),
        "cache": _timed(_cache, "cache"),
        "jobs": _timed(_jobs, "jobs"),
    }
    if checks["database"]["status"] == OK:
        _reap_if_due()
    if any(checks[name]["status"] != OK for name in REQUIRED):
        status = DOWN
    elif all(c["status"] == OK for c in checks.values()):
        status = OK
    else:
        status = DEGRADED
    return {"status": status, "checks": checks}


def _reap_if_due() -> None:
    # The readiness probe runs every few seconds wherever a load balancer or orchestrator
    # watches the app: it drives the stale-job reaper (at most once a minute, core/jobs.py).
    from .jobs import jobs_reap_if_due

    try:
        jobs_reap_if_due()
    except Exception as exc:  # noqa: BLE001 - housekeeping never fails a probe
        dependency_failed("job-reaper", exc)
