"""Result caching with the TTLs of API.md.

Unmasked results are cached; callers mask per principal on the way out. Writes invalidate by
bumping a version number per *scope* (for example ``customer:42`` or ``shop``), so every key
built on the old version is never read again and expires by TTL. If the cache is down,
reads compute from the database and nothing fails.

A small per-process circuit breaker sits in front of the cache: after one failure the cache is
skipped for ``CACHE_BREAKER_SECONDS`` so a request never waits on several socket timeouts in a
row while Redis is down (one 0.5 s timeout at most, then straight to the database).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.core.cache import cache

from .outages import dependency_failed, dependency_ok

logger = logging.getLogger(__name__)

T = TypeVar("T")
_MISS = object()
VERSION_TTL = 60 * 60 * 24 * 30


class CircuitBreaker:
    """Open (skip the cache) for a while after a failure; closed again after the pause."""

    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        seconds = float(getattr(settings, "CACHE_BREAKER_SECONDS", 30))
        with self._lock:
            self._open_until = time.monotonic() + seconds

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


breaker = CircuitBreaker()


def cache_call(op: Callable[[], T], default: Any = None) -> T | Any:
    """Run one cache operation; on any backend failure (or while the breaker is open) return
    ``default`` instead of raising. Used by this module and by the rate-limit throttle."""
    if breaker.is_open:
        return default
    try:
        value = op()
    except Exception as exc:  # noqa: BLE001 - any cache backend failure means "no cache"
        breaker.trip()
        dependency_failed("cache", exc)  # one log line per outage, not per request
        return default
    dependency_ok("cache")
    return value


def scope_version(scope: str) -> int:
    value = cache_call(lambda: cache.get(f"ver:{scope}"), None)
    return int(value) if value is not None else 0


def invalidate(*scopes: str) -> None:
    """Invalidate every cached result built under ``scopes``."""
    for scope in scopes:
        key = f"ver:{scope}"

        def bump(key: str = key) -> None:
            if not cache.add(key, 1, VERSION_TTL):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, VERSION_TTL)

        cache_call(bump)


def build_key(namespace: str, scopes: tuple[str, ...], params: dict | None = None) -> str:
    """The cache key of a result: namespace, scopes and a digest of the parameters. The scope
    versions are not in the key: they are stored beside the value (:func:`cached_result`)."""
    raw = orjson.dumps(params or {}, option=orjson.OPT_SORT_KEYS, default=str)
    digest = hashlib.sha1(raw).hexdigest()[:16]  # noqa: S324 - a cache key, not security
    return f"res:{namespace}:{','.join(scopes)}:{digest}"


def cached_result(
    namespace: str,
    *,
    scopes: tuple[str, ...],
    params: dict | None,
    ttl: int,
    compute: Callable[[], T],
) -> tuple[T, bool]:
    """Return ``(value, cache_hit)``. ``compute`` runs on a miss or when the cache is down.

    One round trip for a hit: the scope versions and the stored ``(versions, value)`` come in
    one ``get_many`` (Redis ``MGET``); the value counts only if it was stored under the current
    versions. A write that bumps a version between the read and the ``set`` leaves the new entry
    under the older versions, so it is never served — the same guarantee as versions in the key.
    """
    key = build_key(namespace, scopes, params)
    version_keys = [f"ver:{s}" for s in scopes]
    found = cache_call(lambda: cache.get_many([*version_keys, key]), None)
    versions = tuple(int(found.get(k) or 0) for k in version_keys) if found is not None else None
    entry = found.get(key) if found is not None else None
    if entry is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == versions:
        return entry[1], True
    value = compute()
    if versions is not None:
        cache_call(lambda: cache.set(key, (versions, value), ttl))
    return value, False
