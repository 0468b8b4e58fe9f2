"""Platform fixtures for every test (a ``pytest_plugins`` entry of the root ``conftest.py``):
a clean cache, circuit breaker and outage switches around each test; ``redis_only``."""

from __future__ import annotations

import pytest
from django.core.cache import cache


def _reset_platform_state() -> None:
    from core import outages
    from core.cache import breaker

    breaker.reset()
    outages.reset()
    cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    _reset_platform_state()
    yield
    _reset_platform_state()


@pytest.fixture
def redis_only(settings):
    """Skip unless the cache is Redis (rate counters across processes, circuit breaker)."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs REDIS_URL")
