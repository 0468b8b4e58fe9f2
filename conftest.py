"""Shared fixtures: one user per role and an authenticated API client per role.

Tests in every app use these, e.g. ``def test_x(api_client_for): client = api_client_for("MANAGER")``.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

ROLES = ("STAFF", "MANAGER", "ADMIN")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(role: str = "STAFF", username: str | None = None, password: str = "pw-Test-1234!", **extra) -> User:
        username = username or f"{role.lower()}-user"
        user = User.objects.create_user(username=username, password=password, role=role, **extra)
        return user

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
