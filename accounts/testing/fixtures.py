"""Fixtures for every app's tests (a ``pytest_plugins`` entry of the root ``conftest.py``): one
user per role and an authenticated API client per role, internal-service clients, a back-office
(admin) client per role with the permissions of ``accounts.backoffice.permissions`` (what the
role→group sync grants in production), the test routes.

    def test_x(api_client_for):
        client = api_client_for("MANAGER")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

ROLES = ("STAFF", "MANAGER", "ADMIN")
TEST_PASSWORD = "pw-Test-1234!"  # noqa: S105 - the test users' password


def make_internal_token(role: str = "MANAGER", sub: str = "report-service", days: float = 1, **claims) -> str:
    """An X-Internal-Token as ``issue_internal_token`` makes it (HS256, INTERNAL_JWT_SECRET)."""
    from accounts.internal_tokens import internal_token_issue

    return internal_token_issue(service=sub, role=role, days=days, **claims)


@pytest.fixture(autouse=True)
def _reset_login_fallback_counter():
    from accounts.throttling import fallback_counter

    fallback_counter.reset()
    yield
    fallback_counter.reset()


@pytest.fixture
def internal_client_for():
    """``internal_client_for("ADMIN", sub="etl")`` → an APIClient sending X-Internal-Token."""

    def make(role: str, sub: str = "report-service") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_X_INTERNAL_TOKEN=make_internal_token(role, sub))
        return client

    return make


@pytest.fixture
def test_routes(settings, monkeypatch):
    """Mount accounts/testing/urls.py (one view per least role, a failing view) and their POLICY rows."""
    from accounts import policy
    from accounts.testing.urls import TEST_POLICY

    settings.ROOT_URLCONF = "accounts.testing.urls"
    for name, rules in TEST_POLICY.items():
        monkeypatch.setitem(policy.POLICY, name, rules)
    return TEST_POLICY


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(role: str = "STAFF", username: str | None = None, password: str = TEST_PASSWORD, **extra) -> User:
        username = username or f"{role.lower()}-user"
        return User.objects.create_user(username=username, password=password, role=role, **extra)

    return make


@pytest.fixture
def users(make_user) -> dict:
    return {role: make_user(role) for role in ROLES}


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_client_for(users):
    """``api_client_for("MANAGER")`` → an APIClient with a valid Bearer token of that role."""

    def make(role: str) -> APIClient:
        client = APIClient()
        token = AccessToken.for_user(users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        client.user = users[role]
        return client

    return make


def grant_role_permissions(user: Any) -> Any:
    """Give ``user`` the back-office permissions of its role."""
    from accounts.backoffice.permissions import BACKOFFICE_PERMISSIONS

    spec = BACKOFFICE_PERMISSIONS[user.role]
    if spec == "__all__":
        perms = Permission.objects.all()
    else:
        pairs = [code.split(".", 1) for code in spec]
        perms = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in pairs]
    user.user_permissions.set(perms)
    return user


@pytest.fixture
def backoffice_client_for(make_user) -> Callable[..., Client]:
    """``backoffice_client_for("STAFF", **user_fields)`` → a Client logged into the admin as the
    staff user ``admin-staff`` with the permissions of that role (``client.user`` is the user)."""

    def make(role: str, **extra: Any) -> Client:
        user = make_user(role, username=f"admin-{role.lower()}", is_staff=True, **extra)
        grant_role_permissions(user)
        client = Client()
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture(autouse=True)
def _audit_truncate_guard_off_for_flush(request):
    """Django empties the database after a ``transaction=True`` test with TRUNCATE, which the
    audit table refuses on PostgreSQL (migration accounts 0005). Only for that flush, the test
    database's TRUNCATE trigger is switched off (the guard test switches it on again)."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        yield
        return
    request.getfixturevalue("transactional_db")  # so this teardown runs before the flush
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE accounts_auditlog DISABLE TRIGGER accounts_auditlog_no_truncate")
