"""core.cache: hits and misses, invalidation by scope, and answers from the database when the
cache (Redis) is down, without waiting on it request after request."""

from __future__ import annotations

import time

from core.cache import breaker, cache_call, cached_result, invalidate

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


def counter():
    calls = []

    def compute() -> dict:
        calls.append(1)
        return {"value": len(calls)}

    return compute, calls


def test_miss_then_hit():
    compute, calls = counter()
    assert cached_result("ns", scopes=("customer:1",), params={"a": 1}, ttl=60, compute=compute) == (
        {"value": 1},
        False,
    )
    assert cached_result("ns", scopes=("customer:1",), params={"a": 1}, ttl=60, compute=compute) == ({"value": 1}, True)
    assert len(calls) == 1
    # other params are another entry
    assert cached_result("ns", scopes=("customer:1",), params={"a": 2}, ttl=60, compute=compute)[1] is False


def test_invalidate_only_the_scope_written():
    compute, _ = counter()
    cached_result("ns", scopes=("customer:1",), params=None, ttl=60, compute=compute)
    cached_result("ns", scopes=("customer:2",), params=None, ttl=60, compute=compute)
    invalidate("customer:1")
    assert cached_result("ns", scopes=("customer:1",), params=None, ttl=60, compute=compute)[1] is False
    assert cached_result("ns", scopes=("customer:2",), params=None, ttl=60, compute=compute)[1] is True
    invalidate("customer:1")  # a second bump works too
    assert cached_result("ns", scopes=("customer:1",), params=None, ttl=60, compute=compute)[1] is False


def test_ttl_expires(settings):
    compute, _ = counter()
    cached_result("ns", scopes=("shop",), params=None, ttl=1, compute=compute)
    time.sleep(1.2)
    assert cached_result("ns", scopes=("shop",), params=None, ttl=1, compute=compute)[1] is False


def test_cache_down_answers_from_compute_quickly(settings, caplog):
    settings.CACHES = DEAD_REDIS
    settings.CACHE_BREAKER_SECONDS = 30
    compute, calls = counter()
    started = time.monotonic()
    results = [cached_result("ns", scopes=("customer:1",), params=None, ttl=60, compute=compute) for _ in range(20)]
    elapsed = time.monotonic() - started
    assert [hit for _, hit in results] == [False] * 20
    assert len(calls) == 20
    assert elapsed < 1.5  # at most one socket timeout, not 60 of them
    invalidate("customer:1")  # writes do not fail either
    assert breaker.is_open
    assert any("cache unavailable" in r.getMessage() for r in caplog.records)


def test_breaker_skips_the_cache_while_open_and_closes_after_the_pause(settings):
    settings.CACHE_BREAKER_SECONDS = 0.2
    touched = []

    def failing() -> None:
        touched.append(1)
        raise ConnectionError("redis down")

    assert cache_call(failing, "fallback") == "fallback"
    assert cache_call(failing, "fallback") == "fallback"
    assert len(touched) == 1  # the second call never reached the cache
    time.sleep(0.25)
    assert cache_call(lambda: "ok", "fallback") == "ok"


def test_api_reads_and_rate_limit_survive_a_dead_cache(settings, test_routes, api_client_for):
    settings.CACHES = DEAD_REDIS
    settings.RATE_LIMIT_OVERRIDES = {"general": "2/m"}
    client = api_client_for("STAFF")
    # the counters are in the dead cache: each process counts on its own (accounts/throttling.py)
    assert [client.get("/api/v1/_test/staff").status_code for _ in range(4)] == [200, 200, 429, 429]
