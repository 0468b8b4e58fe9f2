"""Both schemes refuse forged, expired and malformed tokens; the internal-token command works."""

from __future__ import annotations

import base64
import json
import time
from io import StringIO

import jwt
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.authentication import decode_internal_token
from accounts.testing.fixtures import make_internal_token

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")]

URL = "/api/v1/_test/staff"
INTERNAL_KEY = django_settings.INTERNAL_JWT_SECRET
USER_KEY = django_settings.SECRET_KEY


def unsigned(claims: dict) -> str:
    """A token with ``alg: none`` and an empty signature."""

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def future(seconds: int = 3600) -> int:
    return int(time.time()) + seconds


def user_claims(user, **extra) -> dict:
    token = AccessToken.for_user(user)
    return {**token.payload, **extra}


def assert_invalid(response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "INVALID_TOKEN"
    assert body["error"]["message"] == "유효하지 않은 토큰입니다"
    assert "data" not in body


def test_no_credentials_is_missing_token(api_client, test_routes):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "MISSING_TOKEN"
    assert response.json()["error"]["message"] == "인증 토큰이 필요합니다"
    assert response.has_header("WWW-Authenticate")


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda u: unsigned(user_claims(u)), id="alg-none"),
        pytest.param(lambda u: jwt.encode(user_claims(u), "x" * 64, algorithm="HS256"), id="wrong-key"),
        pytest.param(lambda u: jwt.encode(user_claims(u), INTERNAL_KEY, algorithm="HS256"), id="internal-key"),
        pytest.param(
            lambda u: jwt.encode(user_claims(u, exp=int(time.time()) - 10), USER_KEY, algorithm="HS256"), id="expired"
        ),
        pytest.param(
            lambda u: jwt.encode({k: v for k, v in user_claims(u).items() if k != "exp"}, USER_KEY, algorithm="HS256"),
            id="missing-exp",
        ),
        pytest.param(lambda u: jwt.encode(user_claims(u), USER_KEY, algorithm="HS512"), id="other-alg"),
        pytest.param(lambda u: str(RefreshToken.for_user(u)), id="refresh-as-access"),
        pytest.param(
            lambda u: jwt.encode(user_claims(u, user_id="999999"), USER_KEY, algorithm="HS256"), id="unknown-user"
        ),
        pytest.param(lambda u: "garbage", id="garbage"),
        pytest.param(lambda u: "a.b.c", id="three-garbage-parts"),
    ],
)
def test_forged_bearer_tokens_are_refused(api_client, users, test_routes, forge):
    token = forge(users["ADMIN"])
    assert_invalid(api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}"))


def test_bearer_token_of_a_deactivated_user_is_refused(api_client, users, test_routes):
    token = AccessToken.for_user(users["STAFF"])
    users["STAFF"].is_active = False
    users["STAFF"].save()
    assert_invalid(api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}"))


def internal_claims(**extra) -> dict:
    return {"sub": "report-service", "role": "ADMIN", "exp": future(), **extra}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(unsigned(internal_claims()), id="alg-none"),
        pytest.param(jwt.encode(internal_claims(), "y" * 64, algorithm="HS256"), id="wrong-key"),
        pytest.param(jwt.encode(internal_claims(), USER_KEY, algorithm="HS256"), id="secret-key-not-internal-key"),
        pytest.param(
            jwt.encode(internal_claims(exp=int(time.time()) - 5), INTERNAL_KEY, algorithm="HS256"), id="expired"
        ),
        pytest.param(jwt.encode({"sub": "svc", "role": "ADMIN"}, INTERNAL_KEY, algorithm="HS256"), id="missing-exp"),
        pytest.param(jwt.encode(internal_claims(role="ROOT"), INTERNAL_KEY, algorithm="HS256"), id="unknown-role"),
        pytest.param(jwt.encode(internal_claims(role=None), INTERNAL_KEY, algorithm="HS256"), id="no-role"),
        pytest.param(jwt.encode({"role": "ADMIN", "exp": future()}, INTERNAL_KEY, algorithm="HS256"), id="missing-sub"),
        pytest.param(jwt.encode(internal_claims(sub="  "), INTERNAL_KEY, algorithm="HS256"), id="blank-sub"),
        pytest.param(jwt.encode(internal_claims(), INTERNAL_KEY, algorithm="HS512"), id="other-alg"),
        pytest.param("garbage", id="garbage"),
        pytest.param("", id="empty"),
    ],
)
def test_forged_internal_tokens_are_refused(api_client, test_routes, token):
    assert_invalid(api_client.get(URL, HTTP_X_INTERNAL_TOKEN=token))


def test_a_user_access_token_is_not_an_internal_token(api_client, users, test_routes):
    assert_invalid(api_client.get(URL, HTTP_X_INTERNAL_TOKEN=str(AccessToken.for_user(users["ADMIN"]))))


def test_valid_internal_token_acts_as_the_service(api_client, test_routes):
    token = make_internal_token("MANAGER", "crm-sync")
    response = api_client.get("/api/v1/_test/manager", HTTP_X_INTERNAL_TOKEN=token)
    assert response.status_code == 200
    assert response.json()["data"] == {"name": "crm-sync", "role": "MANAGER", "kind": "service"}
    # the role in the token is the ceiling
    denied = api_client.get("/api/v1/_test/admin", HTTP_X_INTERNAL_TOKEN=token)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"


def test_issue_internal_token_command_prints_a_working_token(api_client, test_routes):
    out = StringIO()
    call_command("issue_internal_token", "--service", "etl-runner", "--role", "ADMIN", "--days", "7", stdout=out)
    token = out.getvalue().strip()
    claims = decode_internal_token(token)
    assert (claims["sub"], claims["role"]) == ("etl-runner", "ADMIN")
    assert 7 * 86400 - 60 <= claims["exp"] - time.time() <= 7 * 86400
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    response = api_client.get("/api/v1/_test/admin", HTTP_X_INTERNAL_TOKEN=token)
    assert response.json()["data"]["name"] == "etl-runner"


@pytest.mark.parametrize(
    "args",
    [
        ["--service", "x", "--role", "ADMIN", "--days", "0"],
        ["--service", "x", "--role", "ADMIN", "--days", "400"],
        ["--service", " ", "--role", "ADMIN", "--days", "1"],
        ["--service", "x", "--role", "ROOT", "--days", "1"],
    ],
)
def test_issue_internal_token_command_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("issue_internal_token", *args, stdout=StringIO())
