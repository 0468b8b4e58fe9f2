"""Rate limiting in one place: the default DRF throttle, driven by the ``rate_scope`` of
accounts/policy.py (API.md "Rate limits").

Counters are django-ratelimit's fixed windows and keys. On Redis a hit is one round trip:
``SET key 0 EX ttl NX`` + ``INCR key`` in one Lua script (:func:`counter_hit`, ``EVALSHA``) —
the same add-then-increment django-ratelimit's ``get_usage`` does in two, and as atomic: a burst of
concurrent requests across processes never passes more than the limit. Other caches (the
embedded default's per-process memory) go through ``get_usage`` unchanged. The key is the
principal (user id or service ``sub``), never a header. The login scope counts per username
and, separately, per peer IP address. Over the limit DRF raises ``Throttled`` and the exception
handler answers 429 ``RATE_LIMIT_EXCEEDED`` with ``Retry-After``.

When the cache is down, each process falls back to its own in-memory counters with the same
limits (:data:`fallback_counter`): reads keep answering from the database and a principal is
still limited (to at most the limit per worker process until Redis is back). The outage is
logged once (core/outages.py). The lock-out of repeated failed logins lives in the DB.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate, get_usage
from rest_framework.throttling import BaseThrottle

from core.cache import cache_call

from .network import client_ip
from .policy import RATE_LIMITS, rule_for
from .principal import principal_of

logger = logging.getLogger(__name__)

LOGIN_SCOPE = "login"


class FallbackCounter:
    """Fixed-window counters in this process, used while the shared cache is unreachable."""

    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, rate: str) -> tuple[bool, int]:
        """Count one request; answers ``(over_the_limit, seconds_left_in_window)``."""
        limit, period = _split_rate(rate)
        now = time.time()
        window = int(now // period)
        with self._lock:
            if len(self._counts) > self.MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
        return count > limit, max(int((window + 1) * period - now), 1)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


fallback_counter = FallbackCounter()


def _redis_client() -> object | None:
    """The raw Redis client behind the default cache, or None when the cache is not Redis."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


# add-then-increment in one command: SET NX with the window's expiry, then INCR (atomic: a
# script runs alone on the server)
_COUNTER_LUA = "redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX') return redis.call('INCR', KEYS[1])"
_counter_scripts: dict[int, tuple[object, object]] = {}


def _counter_script(client: object) -> object:
    held = _counter_scripts.get(id(client))
    if held is None or held[0] is not client:
        held = (client, client.register_script(_COUNTER_LUA))
        _counter_scripts[id(client)] = held
    return held[1]


def counter_hit(request: object, *, group: str, key: str, rate: str) -> dict:
    """Count one request against ``rate`` for ``key`` in the shared cache:
    ``{"count", "should_limit", "time_left"}`` as django-ratelimit's ``get_usage`` answers.
    Raises on a cache failure (the caller falls back to :data:`fallback_counter`)."""
    client = _redis_client()
    if client is None:
        return get_usage(request, group=group, key=lambda _g, _r: key, rate=rate, increment=True)
    limit, period = _split_rate(rate)
    window = _get_window(key, period)
    full_key = cache.make_key(_make_cache_key(group, window, rate, key, ALL))
    count = int(_counter_script(client)(keys=[full_key], args=[period + EXPIRATION_FUDGE]))
    return {"count": count, "should_limit": count > limit, "time_left": window - int(time.time())}


def rate_for(scope: str) -> str | None:
    """The rate of a scope: ``RATE_LIMIT_OVERRIDES`` in settings (tests, operators) wins over
    the table in policy.py."""
    overrides = getattr(settings, "RATE_LIMIT_OVERRIDES", None) or {}
    return overrides.get(scope) or RATE_LIMITS.get(scope)


def _ip_key(request: object) -> str:
    return f"ip:{client_ip(request) or 'unknown'}"


def _login_username(request: object) -> str:
    data = getattr(request, "data", None)
    if hasattr(data, "get"):
        value = data.get("username")
        if isinstance(value, str):
            return value.strip().lower()[:150]
    return ""


def throttle_keys(request: object, scope: str) -> list[str]:
    """The counters a request increments for ``scope``."""
    if scope == LOGIN_SCOPE:
        keys = [_ip_key(request)]
        username = _login_username(request)
        if username:
            keys.append(f"username:{username}")
        return keys
    principal = principal_of(request)
    if principal.is_authenticated:
        return [principal.key]
    return [_ip_key(request)]


class PolicyRateThrottle(BaseThrottle):
    """Default throttle for every DRF view (``DEFAULT_THROTTLE_CLASSES``)."""

    def __init__(self) -> None:
        self._wait: int | None = None

    def allow_request(self, request, view) -> bool:
        if not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        match = getattr(request, "resolver_match", None)
        rule = rule_for(getattr(match, "url_name", None), request.method)
        if rule is None or not rule.rate_scope:
            return True
        rate = rate_for(rule.rate_scope)
        if not rate:
            return True
        allowed = True
        for key in throttle_keys(request, rule.rate_scope):
            usage = cache_call(
                lambda key=key: counter_hit(request, group=f"api:{rule.rate_scope}", key=key, rate=rate), None
            )
            if usage is None:
                # cache down: this process's own counter (see module docstring)
                over, wait = fallback_counter.hit(f"{rule.rate_scope}:{key}", rate)
            else:
                over, wait = bool(usage["should_limit"]), max(int(usage["time_left"]), 1)
            if over:
                allowed = False
                self._wait = max(self._wait or 0, wait)
        return allowed

    def wait(self) -> int | None:
        return self._wait
