"""Failing dependencies (issue 10 item 3): liveness vs readiness, one log line per outage,
a per-process rate limit while Redis is down, a fast 503 when PostgreSQL is unreachable."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError

from core import health
from core.tests.test_cache import DEAD_REDIS

pytestmark = pytest.mark.django_db


def test_liveness_touches_no_dependency(api_client, settings, monkeypatch):
    settings.CACHES = DEAD_REDIS

    def boom():
        raise AssertionError("liveness must not probe dependencies")

    monkeypatch.setattr("core.api.views.health_report", boom)
    response = api_client.get("/api/v1/health/live")
    assert response.status_code == 200
    assert response.json()["data"] == {"status": "ok"}


def test_database_down_makes_readiness_503_with_retry_after(api_client, monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", down)
    response = api_client.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["error"]["details"]["status"] == "down"
    assert "refused" not in response.content.decode()


def test_redis_down_logs_one_line_per_outage_not_per_request(api_client_for, settings, caplog):
    settings.CACHES = DEAD_REDIS
    settings.CACHE_BREAKER_SECONDS = 0  # every request tries Redis again
    client = api_client_for("ADMIN")
    with caplog.at_level(logging.DEBUG):
        for _ in range(15):
            assert client.get("/api/v1/health").status_code == 200
            assert client.get("/api/v1/audit/logs").status_code == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage().split(":")[0] for r in errors] == ["cache unavailable"]
    assert not any(r.exc_info for r in caplog.records)  # no tracebacks


def test_rate_limit_holds_per_process_while_redis_is_down(api_client_for, settings):
    settings.CACHES = DEAD_REDIS
    settings.RATE_LIMIT_OVERRIDES = {"general": "3/m"}
    client = api_client_for("ADMIN")
    statuses = [client.get("/api/v1/audit/logs").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = client.get("/api/v1/audit/logs")
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_database_unreachable_answers_503_fast(api_client_for, monkeypatch):
    """A connection failure inside a view becomes 503 SERVICE_UNAVAILABLE + Retry-After
    (not a 500 with a traceback)."""
    from customers.api import views

    def down(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(views, "customer_search", down)
    started = time.monotonic()
    response = api_client_for("ADMIN").get("/api/v1/customers/search", {"q": "x"})
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Connection refused" not in response.content.decode()


def test_unreachable_postgres_fails_within_the_connect_timeout(settings):
    """A real connection attempt to a closed port with the configured options fails fast."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL settings only")
    import psycopg

    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["connect_timeout"] <= 5
    assert options["pool"]["timeout"] <= 5
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="10.255.255.1", port=5432, connect_timeout=1, dbname="x")
    assert time.monotonic() - started < 3
