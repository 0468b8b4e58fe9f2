"""Result caching with the TTLs of API.md.

Unmasked results are cached; callers mask per principal on the way out. Writes invalidate by
bumping a version number per *scope* (for example ``customer:42`` or ``shop``), so every key
built on the old version is never read again and expires by TTL. If the cache is down,
reads compute from the database and nothing fails.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")
_MISS = object()
VERSION_TTL = 60 * 60 * 24 * 30


def _safe(op: Callable[[], Any], default: Any = None) -> Any:
    try:
        return op()
    except Exception as exc:  # noqa: BLE001 - any cache backend failure means "no cache"
        logger.warning("cache unavailable: %s", exc)
        return default


def scope_version(scope: str) -> int:
    value = _safe(lambda: cache.get(f"ver:{scope}"), None)
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

        _safe(bump)


def build_key(namespace: str, scopes: tuple[str, ...], params: dict | None = None) -> str:
    versions = ",".join(f"{s}@{scope_version(s)}" for s in scopes)
    raw = orjson.dumps(params or {}, option=orjson.OPT_SORT_KEYS, default=str)
    digest = hashlib.sha1(raw).hexdigest()[:16]  # noqa: S324 - a cache key, not security
    return f"res:{namespace}:{versions}:{digest}"


def cached_result(
    namespace: str,
    *,
    scopes: tuple[str, ...],
    params: dict | None,
    ttl: int,
    compute: Callable[[], T],
) -> tuple[T, bool]:
    """Return ``(value, cache_hit)``. ``compute`` runs on a miss or when the cache is down."""
    key = build_key(namespace, scopes, params)
    value = _safe(lambda: cache.get(key, _MISS), _MISS)
    if value is not _MISS:
        return value, True
    value = compute()
    _safe(lambda: cache.set(key, value, ttl))
    return value, False
