"""Login, refresh rotation, logout/revocation, lock-out, login rate limits, audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditLog, User
from accounts.sealing import keyed_hash

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
REFRESH_URL = "/api/v1/auth/token/refresh"
LOGOUT_URL = "/api/v1/auth/logout"
PASSWORD = "pw-Test-1234!"


def login(client: APIClient, username: str, password: str = PASSWORD, ip: str = "10.1.1.1"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


@pytest.fixture
def manager(make_user) -> User:
    return make_user("MANAGER", username="kim")


def test_login_returns_tokens_and_writes_an_audit_row(api_client, manager, test_routes):
    response = login(api_client, "kim")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == 600
    assert data["user"] == {"id": manager.pk, "username": "kim", "display_name": "kim", "role": "MANAGER"}
    # the access token works on a protected route
    who = api_client.get("/api/v1/_test/staff", HTTP_AUTHORIZATION=f"Bearer {data['access']}")
    assert who.status_code == 200
    assert who.json()["data"] == {"name": "kim", "role": "MANAGER", "kind": "user"}
    row = AuditLog.objects.get(action="login")
    assert (row.actor_user_id, row.actor_name, row.actor_type, row.role) == (manager.pk, "kim", "user", "MANAGER")
    assert (row.status_code, row.ip_address, row.path) == (200, "10.1.1.1", TOKEN_URL)
    manager.refresh_from_db()
    assert manager.last_login is not None


@pytest.mark.parametrize("username", ["kim", "nobody"])
def test_bad_credentials_are_401_and_audited(api_client, manager, username):
    response = login(api_client, username, "wrong-password")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "INVALID_CREDENTIALS"
    assert body["error"]["message"] == "아이디 또는 비밀번호가 올바르지 않습니다"
    assert "data" not in body
    row = AuditLog.objects.get()
    known = username == "kim"
    assert (row.action, row.actor_name, row.actor_type, row.actor_user_id) == (
        "login_failed",
        username if known else "anonymous",  # a typed non-account name is never kept in clear
        "anonymous",
        None,
    )
    expected = {"username_hash": keyed_hash(username), "known_user": known, "locked": False}
    assert row.query == ({**expected, "username": username} if known else expected)
    assert username not in str(row.query) or known
    assert row.status_code == 401


def test_inactive_user_cannot_log_in(api_client, make_user):
    make_user("ADMIN", username="gone", is_active=False)
    assert login(api_client, "gone").json()["error"]["code"] == "INVALID_CREDENTIALS"


def test_missing_fields_are_a_validation_error(api_client, db):
    response = api_client.post(TOKEN_URL, {"username": "kim"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "password" in response.json()["error"]["details"]["fields"]


def test_a_stale_authorization_header_does_not_block_login(api_client, manager):
    response = api_client.post(
        TOKEN_URL, {"username": "kim", "password": PASSWORD}, format="json", HTTP_AUTHORIZATION="Bearer garbage"
    )
    assert response.status_code == 200


def test_lock_out_after_repeated_failures(api_client, manager, settings):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [login(api_client, "kim", "wrong").status_code for _ in range(limit)]
    assert statuses == [401] * (limit - 1) + [403]
    locked = login(api_client, "kim")  # even the right password is refused while locked
    assert locked.status_code == 403
    body = locked.json()
    assert body["error"]["code"] == "ACCOUNT_LOCKED"
    assert body["error"]["message"] == "로그인 실패가 반복되어 계정이 잠겼습니다. 잠시 후 다시 시도하세요"
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert locked["Retry-After"] == str(cooloff)
    assert body["error"]["details"] == {"retry_after": cooloff}
    assert "access" not in locked.content.decode()
    assert AuditLog.objects.filter(action="login").count() == 0
    assert AuditLog.objects.filter(action="login_failed", query__locked=True).count() == 2
    # after the cool-off the right password works again
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert login(api_client, "kim").status_code == 200


def test_a_successful_login_resets_the_failure_count(api_client, manager, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        login(api_client, "kim", "wrong")
    assert login(api_client, "kim").status_code == 200
    assert [login(api_client, "kim", "wrong").status_code for _ in range(limit - 1)] == [401] * (limit - 1)


def test_refresh_rotates_and_the_old_token_dies(api_client, manager, test_routes):
    first = login(api_client, "kim").json()["data"]
    response = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert response.status_code == 200
    second = response.json()["data"]
    assert second["refresh"] != first["refresh"]
    assert api_client.get("/api/v1/_test/staff", HTTP_AUTHORIZATION=f"Bearer {second['access']}").status_code == 200
    reused = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "INVALID_TOKEN"
    # presenting a rotated-out token again revokes the chain: the newest token is dead too
    assert api_client.post(REFRESH_URL, {"refresh": second["refresh"]}, format="json").status_code == 401


def test_logout_blacklists_the_refresh_token(api_client, manager):
    tokens = login(api_client, "kim").json()["data"]
    response = api_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    assert response.json()["data"] == {"logged_out": True, "revoked": 1}
    after = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "INVALID_TOKEN"
    # logging out twice is harmless
    assert api_client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, format="json").json()["data"]["revoked"] == 0


def test_a_rotated_out_refresh_token_can_still_revoke_its_chain(api_client, manager):
    first = login(api_client, "kim").json()["data"]
    second = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json").json()["data"]
    third = api_client.post(REFRESH_URL, {"refresh": second["refresh"]}, format="json").json()["data"]
    other_session = login(api_client, "kim").json()["data"]
    # log out with the oldest token of the chain: the live one (third) is revoked
    response = api_client.post(LOGOUT_URL, {"refresh": first["refresh"]}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["revoked"] == 1
    assert api_client.post(REFRESH_URL, {"refresh": third["refresh"]}, format="json").status_code == 401
    # another login of the same user is a separate chain and stays valid
    assert api_client.post(REFRESH_URL, {"refresh": other_session["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("url", [REFRESH_URL, LOGOUT_URL])
def test_an_access_token_is_not_a_refresh_token(api_client, manager, url):
    access = login(api_client, "kim").json()["data"]["access"]
    response = api_client.post(url, {"refresh": access}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


def test_refresh_for_a_deactivated_user_is_refused(api_client, manager):
    refresh = login(api_client, "kim").json()["data"]["refresh"]
    User.objects.filter(pk=manager.pk).update(is_active=False)
    assert api_client.post(REFRESH_URL, {"refresh": refresh}, format="json").status_code == 401


def test_login_rate_limit_per_username(api_client, manager, settings):
    settings.RATE_LIMIT_OVERRIDES = {"login": "3/m"}
    statuses = [login(api_client, "kim", ip=f"10.0.0.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = login(api_client, "KIM", ip="10.0.0.99")  # usernames are compared case-insensitively
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(response["Retry-After"]) >= 1


def test_login_rate_limit_per_ip(api_client, db, settings):
    settings.RATE_LIMIT_OVERRIDES = {"login": "3/m"}
    statuses = [login(api_client, f"user{i}", "x", ip="10.0.0.1").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login(api_client, "user9", "x", ip="10.0.0.2").status_code == 401  # another address


def test_admin_login_is_locked_out_with_a_korean_page(make_user, settings):
    from django.test import Client

    make_user("ADMIN", username="boss", is_staff=True)
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = browser.post("/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "계정 잠김" in response.content.decode()
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    # the right password does not get in while locked
    response = browser.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 403
    assert browser.get("/admin/").status_code == 302
