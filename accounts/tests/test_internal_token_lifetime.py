"""Internal tokens: the maximum lifetime and ``iat`` are enforced at verification (item 6)."""

from __future__ import annotations

import time

import jwt
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit/logs"


def forge(**claims) -> str:
    return jwt.encode(claims, settings.INTERNAL_JWT_SECRET, algorithm="HS256")


def call(api_client, token: str):
    return api_client.get(URL, HTTP_X_INTERNAL_TOKEN=token)


def test_a_token_valid_until_2100_is_refused(api_client):
    now = int(time.time())
    response = call(api_client, forge(sub="etl", role="ADMIN", iat=now, exp=4102444800))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


def test_a_token_without_iat_is_refused(api_client):
    response = call(api_client, forge(sub="etl", role="ADMIN", exp=int(time.time()) + 3600))
    assert response.status_code == 401


def test_an_iat_in_the_future_is_refused(api_client):
    now = int(time.time())
    response = call(api_client, forge(sub="etl", role="ADMIN", iat=now + 3600, exp=now + 7200))
    assert response.status_code == 401


def test_the_maximum_lifetime_is_accepted(api_client):
    now = int(time.time())
    assert call(api_client, forge(sub="etl", role="ADMIN", iat=now, exp=now + 366 * 86400)).status_code == 200
    assert call(api_client, forge(sub="etl", role="ADMIN", iat=now, exp=now + 367 * 86400)).status_code == 401
