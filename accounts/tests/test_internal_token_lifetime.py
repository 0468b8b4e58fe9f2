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


def test_a_verified_token_is_refused_once_it_expires(api_client):
    """Verified tokens are kept per process; expiry is still checked on every call."""
    import time_machine

    now = int(time.time())
    token = forge(sub="etl", role="ADMIN", iat=now, exp=now + 3600)
    assert call(api_client, token).status_code == 200
    assert call(api_client, token).status_code == 200  # from the verified tokens
    with time_machine.travel(now + 3600 + 59, tick=False):  # inside the 60 s leeway
        assert call(api_client, token).status_code == 200
    with time_machine.travel(now + 3600 + 61, tick=False):
        response = call(api_client, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


def test_a_verified_token_is_refused_after_the_key_changes(api_client, settings):
    now = int(time.time())
    token = forge(sub="etl", role="ADMIN", iat=now, exp=now + 3600)
    assert call(api_client, token).status_code == 200
    settings.INTERNAL_JWT_SECRET = "another-secret-of-at-least-32-bytes!!"
    assert call(api_client, token).status_code == 401


def test_a_tampered_copy_of_a_verified_token_is_refused(api_client):
    now = int(time.time())
    token = forge(sub="etl", role="STAFF", iat=now, exp=now + 3600)
    assert call(api_client, token).status_code == 403  # STAFF: verified, then not allowed here
    header, _payload, signature = token.split(".")
    raised = forge(sub="etl", role="ADMIN", iat=now, exp=now + 3600).split(".")[1]
    assert call(api_client, f"{header}.{raised}.{signature}").status_code == 401
