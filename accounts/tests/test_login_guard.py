"""Lock-out by username and address, per-username slow-down, alert (issue 10 item 4)."""

from __future__ import annotations

import logging

import pytest

from accounts.models import AuditLog
from accounts.tests.test_auth import PASSWORD, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(make_user):
    return make_user("ADMIN", username="admin")


def test_failures_from_one_address_do_not_lock_the_owner_out(api_client, admin_user, settings):
    settings.RATE_LIMIT_OVERRIDES = {"login": "1000/m"}
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [login(api_client, "admin", "wrong", ip="203.0.113.9").status_code for _ in range(limit)]
    assert statuses == [401] * (limit - 1) + [403]
    assert login(api_client, "admin", ip="203.0.113.9").status_code == 403  # that address stays locked
    assert login(api_client, "admin", ip="10.0.0.5").status_code == 200  # the owner at the office is not


def test_username_slow_down_across_addresses(api_client, admin_user, settings):
    settings.RATE_LIMIT_OVERRIDES = {"login": "1000/m"}
    settings.LOGIN_SLOWDOWN_SECONDS = 30
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit):  # one failure from each of many addresses: no address is locked
        assert login(api_client, "admin", "wrong", ip=f"198.51.100.{i + 1}").status_code == 401
    assert login(api_client, "admin", "wrong", ip="198.51.100.200").status_code == 401  # starts the interval
    slowed = login(api_client, "admin", PASSWORD, ip="198.51.100.201")  # even the right password waits
    assert slowed.status_code == 429
    assert slowed.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(slowed["Retry-After"]) <= 30
    assert "access" not in slowed.content.decode()
    row = AuditLog.objects.filter(action="login_failed").latest("id")
    assert row.status_code == 429 and row.query["slowed_down"] is True


def test_reaching_the_limit_raises_one_alert(api_client, admin_user, settings, caplog):
    settings.RATE_LIMIT_OVERRIDES = {"login": "1000/m"}
    settings.LOGIN_SLOWDOWN_SECONDS = 0
    limit = settings.AXES_FAILURE_LIMIT
    with caplog.at_level(logging.WARNING, logger="security"):
        for i in range(limit + 3):
            login(api_client, "admin", "wrong", ip=f"192.0.2.{i + 1}")
    alert = AuditLog.objects.get(action="alert")
    assert alert.query["alert"] == "login_failures"
    assert alert.query["failures"] == limit
    assert "admin" not in str(alert.query)  # the name is a keyed hash
    assert len([r for r in caplog.records if r.name == "security"]) == 1


def test_typed_secret_in_the_username_box_is_not_kept(api_client, admin_user):
    login(api_client, "MySecretPassw0rd!", "x")
    row = AuditLog.objects.get(action="login_failed")
    assert "MySecretPassw0rd!" not in str(row.query) + row.actor_name
    assert row.actor_name == "anonymous"
    assert row.query["known_user"] is False
