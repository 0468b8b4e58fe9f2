"""GET /api/v1/health: 200 when database, cache and job engine answer; 503 otherwise."""

from __future__ import annotations

import pytest

from core.tests.test_cache import DEAD_REDIS

pytestmark = pytest.mark.django_db


def test_healthy(api_client, settings):
    response = api_client.get("/api/v1/health", HTTP_X_REQUEST_ID="health-1")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["request_id"] == "health-1"
    data = body["data"]
    assert data["status"] == "ok"
    assert {name: check["status"] for name, check in data["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "jobs": "ok",
    }
    assert data["checks"]["jobs"]["mode"] == "inline"  # tests run jobs eagerly
    expected_backend = "redis" if "redis" in settings.CACHES["default"]["BACKEND"] else "local-memory"
    assert data["checks"]["cache"]["backend"] == expected_backend


def test_anonymous_and_a_bad_token_do_not_matter(api_client):
    assert api_client.get("/api/v1/health", HTTP_AUTHORIZATION="Bearer garbage").status_code == 200


def test_cache_down_is_degraded_not_503(api_client, settings):
    # reads still answer from the database: a load balancer must keep the instance
    settings.CACHES = DEAD_REDIS
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "degraded"
    assert data["checks"]["cache"]["status"] == "down"
    assert data["checks"]["database"]["status"] == "ok"
    assert "Connection" not in response.content.decode()  # no internals


def test_broker_down_is_degraded(api_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = api_client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "degraded"
    assert response.json()["data"]["checks"]["jobs"]["status"] == "down"


def test_broker_up_on_redis(api_client, settings, redis_only):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["data"]["checks"]["jobs"] == {
        "status": "ok",
        "latency_ms": pytest.approx(0, abs=2000),
        "mode": "celery",
    }
