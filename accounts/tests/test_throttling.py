"""The default throttle: POLICY rate_scope, per principal, atomic counters, 429 + Retry-After."""

from __future__ import annotations

import threading

import pytest
from django.test import Client

from accounts.testing.fixtures import make_internal_token
from accounts.throttling import PolicyRateThrottle, rate_for

STAFF_URL = "/api/v1/_test/staff"
MANAGER_URL = "/api/v1/_test/manager"


@pytest.fixture
def low_limits(settings, test_routes):
    settings.RATE_LIMIT_OVERRIDES = {"general": "3/m", "analytics": "2/m"}


def test_default_throttle_is_the_policy_throttle():
    from rest_framework.settings import api_settings

    assert [PolicyRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES


def test_policy_rates_match_api_md(settings):
    settings.RATE_LIMIT_OVERRIDES = {}
    assert [rate_for(s) for s in ("general", "analytics", "recommendations", "login")] == [
        "1000/h",
        "100/h",
        "50/h",
        "10/m",
    ]


def test_over_the_limit_answers_429_with_retry_after(low_limits, api_client_for):
    client = api_client_for("STAFF")
    statuses = [client.get(STAFF_URL).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get(STAFF_URL, HTTP_X_REQUEST_ID="rl-1")
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert body["error"]["message"] == "요청 한도를 초과했습니다"
    assert body["request_id"] == "rl-1"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert body["error"]["details"] == {"retry_after": retry_after}


def test_counted_per_principal_not_per_header(low_limits, api_client_for):
    staff = api_client_for("STAFF")
    for i in range(3):
        # a changing X-Forwarded-For must not open a new counter
        assert staff.get(STAFF_URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code == 200
    assert staff.get(STAFF_URL, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    # another principal has its own counter
    assert api_client_for("ADMIN").get(STAFF_URL).status_code == 200


def test_services_are_counted_by_sub(low_limits):
    a, b = Client(), Client()
    token_a = make_internal_token("STAFF", "svc-a")
    token_b = make_internal_token("STAFF", "svc-b")
    assert [a.get(STAFF_URL, HTTP_X_INTERNAL_TOKEN=token_a).status_code for _ in range(4)] == [200, 200, 200, 429]
    # a new token for the same service shares the counter; another service does not
    assert a.get(STAFF_URL, HTTP_X_INTERNAL_TOKEN=make_internal_token("STAFF", "svc-a")).status_code == 429
    assert b.get(STAFF_URL, HTTP_X_INTERNAL_TOKEN=token_b).status_code == 200


def test_scopes_have_separate_counters(low_limits, api_client_for):
    client = api_client_for("MANAGER")
    assert [client.get(MANAGER_URL).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(STAFF_URL).status_code == 200  # general is its own budget


def test_disabled_by_setting(low_limits, settings, api_client_for):
    settings.RATELIMIT_ENABLE = False
    client = api_client_for("STAFF")
    assert {client.get(STAFF_URL).status_code for _ in range(6)} == {200}


def test_concurrent_burst_never_passes_more_than_the_limit(settings, test_routes):
    """20 threads at once against a limit of 5: exactly 5 pass (atomic add/incr in the cache;
    on Redis when REDIS_URL is set, as in CI)."""
    settings.RATE_LIMIT_OVERRIDES = {"general": "5/m"}
    token = make_internal_token("STAFF", "burst-service")
    threads_n = 20
    barrier = threading.Barrier(threads_n)
    statuses: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        client = Client()
        barrier.wait()
        status = client.get(STAFF_URL, HTTP_X_INTERNAL_TOKEN=token).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=hit) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [200] * 5 + [429] * 15


def test_routes_without_scope_are_not_limited(settings, test_routes, api_client):
    settings.RATE_LIMIT_OVERRIDES = {"general": "1/m"}
    assert {api_client.get("/api/v1/_test/boom").status_code for _ in range(3)} == {500}


def test_client_ip_ignores_forwarded_for_unless_proxies_are_configured(rf, settings):
    from accounts.network import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.NUM_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.5"
    settings.NUM_TRUSTED_PROXIES = 1  # one proxy of ours: it appended the address it saw
    assert client_ip(request) == "203.0.113.7"
    settings.NUM_TRUSTED_PROXIES = 3  # fewer entries than proxies: fall back to the peer
    assert client_ip(request) == "10.0.0.5"
    settings.NUM_TRUSTED_PROXIES = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.5"


def test_redis_counter_is_one_round_trip_on_django_ratelimits_key(redis_only, rf):
    """counter_hit counts on the key django-ratelimit's get_usage uses (the two agree), sets the
    window's expiry once, and sends one command (the script) per hit. Hourly windows: a window
    ending between two hits of the test would start a new count."""
    from django.core.cache import cache
    from django_ratelimit.core import get_usage

    from accounts.throttling import _redis_client, counter_hit

    request = rf.get("/")
    client = _redis_client()
    counter_hit(request, group="api:other", key="service:y", rate="3/h")  # loads the script once
    sent: list[str] = []
    original = client.execute_command

    def counting(*args, **kwargs):
        sent.append(str(args[0]))
        return original(*args, **kwargs)

    client.execute_command = counting
    try:
        first = counter_hit(request, group="api:general", key="service:x", rate="3/h")
        second = counter_hit(request, group="api:general", key="service:x", rate="3/h")
    finally:
        del client.execute_command
    assert sent == ["EVALSHA", "EVALSHA"]  # one round trip per hit
    assert (first["count"], first["should_limit"]) == (1, False)
    assert (second["count"], second["should_limit"]) == (2, False)
    assert 0 < second["time_left"] <= 3600
    usage = get_usage(request, group="api:general", key=lambda _g, _r: "service:x", rate="3/h", increment=True)
    assert usage["count"] == 3
    fourth = counter_hit(request, group="api:general", key="service:x", rate="3/h")
    assert (fourth["count"], fourth["should_limit"]) == (4, True)
    keys = list(client.keys(cache.make_key("rl:*")))
    assert len(keys) == 2  # api:other and api:general
    assert all(0 < client.ttl(k) <= 3605 for k in keys)
