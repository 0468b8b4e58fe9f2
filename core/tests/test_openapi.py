"""OpenAPI: the schema validates, documents auth, the envelope and every error status; it is
served whole to STAFF+ (JWT, internal token or an admin session) and as its sign-in part without
credentials, so Swagger UI opens with a token alone; and a schemathesis run over every operation finds
no undocumented status code and no server error."""

from __future__ import annotations

from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from core.schema import ERROR_RESPONSES

pytestmark = pytest.mark.django_db


def generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_spectacular_validate_fail_on_warn_is_clean(tmp_path):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"), stdout=out)
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_every_operation_documents_envelope_and_errors():
    schema = generated_schema()
    assert set(schema["components"]["securitySchemes"]) >= {"bearerAuth", "internalToken", "cookieAuth"}
    assert schema["components"]["securitySchemes"]["internalToken"]["name"] == "X-Internal-Token"
    seen = 0
    for path, method, operation in operations(schema):
        seen += 1
        responses = operation["responses"]
        for status in ERROR_RESPONSES:
            assert str(status) in responses, (path, method, status)
            assert responses[str(status)]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorEnvelope"
            }
        assert "Retry-After" in responses["429"]["headers"]
        for status, response in responses.items():
            if status.startswith("2") and status != "204":
                json_body = response["content"].get("application/json")
                if json_body:
                    assert json_body["schema"]["required"] == ["success", "data", "message", "timestamp", "request_id"]
    assert seen >= 4
    login = schema["paths"]["/api/v1/auth/token"]["post"]
    assert login["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"] == {
        "$ref": "#/components/schemas/TokenPairOutput"
    }


PUBLIC_PATHS = {
    "/api/v1/auth/token": ["post"],
    "/api/v1/auth/token/refresh": ["post"],
    "/api/v1/auth/logout": ["post"],
    "/api/v1/health": ["get"],
    "/api/v1/health/ready": ["get"],
    "/api/v1/health/live": ["get"],
}


def test_schema_without_credentials_is_the_sign_in_part(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    schema = response.json()
    # only what anyone may call, and the schemes Swagger UI's Authorize needs
    assert {path: sorted(ops) for path, ops in schema["paths"].items()} == PUBLIC_PATHS
    assert sorted(schema["components"]["securitySchemes"]) == ["bearerAuth", "cookieAuth", "internalToken"]
    assert schema["info"]["description"].startswith("**로그인 전 화면입니다: 로그인·상태 확인 API만 보입니다.**")
    # no other component leaks the rest of the API (customers, analytics, …)
    assert "tags" not in schema
    assert not [name for name in schema["components"]["schemas"] if "Customer" in name or "Dashboard" in name]
    assert "TokenPairOutput" in schema["components"]["schemas"]
    assert "/api/v1/customers" not in response.content.decode()


def test_schema_with_a_bad_token_is_refused_so_swagger_falls_back(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


@pytest.mark.parametrize("role", ["STAFF", "MANAGER", "ADMIN"])
def test_schema_with_a_bearer_token_is_whole(api_client_for, role):
    response = api_client_for(role).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/customers/{customer_id}/detail" in schema["paths"]
    assert len(schema["paths"]) > len(PUBLIC_PATHS) + 20


def test_schema_examples_hold_no_personal_data():
    """Examples are masked or placeholder values (홍길동, 010-0000-…), never a real-looking person."""
    import json
    import re

    text = json.dumps(generated_schema(), ensure_ascii=False, default=str)
    phones = set(re.findall(r"01[016789]-?\d{3,4}-?\d{4}", text))
    assert phones <= {"010-0000-1234", "01012345678"}, phones  # the latter: a format hint in a description
    emails = set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text))
    assert all(e.endswith("@example.com") or "*" in e for e in emails), emails


def test_schema_with_an_internal_token(api_client):
    from accounts.internal_tokens import internal_token_issue

    token = internal_token_issue(service="docs-reader", role="STAFF", days=1)
    response = api_client.get("/api/schema/?format=json", HTTP_X_INTERNAL_TOKEN=token)
    assert response.status_code == 200
    assert "/api/v1/customers/search" in response.json()["paths"]


def test_swagger_ui_opens_without_a_session_and_sends_the_token_for_the_schema(client):
    # a manager with only a token: the page opens (it holds no data) ...
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "swagger-ui" in page.content.decode()
    # ... even with a stale token in a header
    assert client.get("/api/docs/", HTTP_AUTHORIZATION="Bearer expired").status_code == 200
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    js = script.content.decode()
    # drf-spectacular's script puts the authorised token on the schema request and reloads
    # the schema after Authorize/logout; these are the schemes it may send
    assert 'url: "/api/schema/"' in js
    assert '"bearerAuth"' in js and '"internalToken"' in js
    assert "ui.specActions.download()" in js
    assert '"persistAuthorization": true' in js


def test_swagger_ui_and_schema_with_an_admin_session(client, make_user):
    client.force_login(make_user("STAFF", username="front", is_staff=True))
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "swagger-ui" in page.content.decode()
    assert "cdn.jsdelivr" not in page.content.decode()  # assets served locally (sidecar)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/health" in schema.json()["paths"]


# --- schemathesis over whatever endpoints exist ----------------------------------------------


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the WSGI handler must not close the connection that holds
    the test transaction at the end of each request (PostgreSQL pool)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, keep_test_connection):
    settings.RATELIMIT_ENABLE = False  # 429 is documented, but we want the endpoints' own answers
    # Examples + random fuzzing, bounded; the exhaustive "coverage" phase would take minutes.
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    schema = schemathesis.openapi.from_dict(generated_schema(), config=config)
    schema.app = get_wsgi_application()
    return schema


lazy_schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ_SETTINGS = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _fuzz(case, users, caller: str) -> None:
    """One generated request as ``caller`` (a role, an internal service, or nobody): no 500,
    no undocumented status, the documented content type. 3 examples per operation and caller,
    derandomized (CI sees the same cases)."""
    headers = dict(case.headers or {})
    if caller == "service":
        from accounts.testing.fixtures import make_internal_token

        headers["X-Internal-Token"] = make_internal_token("MANAGER", sub="fuzz-service")
    elif caller != "anonymous":
        headers["Authorization"] = f"Bearer {AccessToken.for_user(users[caller])}"
    case.headers = headers
    response = case.call(app=get_wsgi_application())
    case.validate_response(response, checks=[status_code_conformance, not_a_server_error, content_type_conformance])


@lazy_schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_admin(case, users):
    _fuzz(case, users, "ADMIN")


@lazy_schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_manager(case, users):
    _fuzz(case, users, "MANAGER")


@lazy_schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_staff(case, users):
    _fuzz(case, users, "STAFF")


@lazy_schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_internal_service(case, users):
    _fuzz(case, users, "service")


@lazy_schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_anonymous(case, users):
    _fuzz(case, users, "anonymous")


def test_every_operation_is_described_in_korean():
    """Issue 17: Swagger shows Korean text, not the views' developer docstrings."""
    import re

    hangul = re.compile(r"[가-힣]")
    for path, method, operation in operations(generated_schema()):
        where = f"{method.upper()} {path}"
        assert hangul.search(operation.get("summary", "")), where
        description = operation.get("description", "")
        assert not description or hangul.search(description[:40]), (where, description[:80])
        assert "``" not in description, where


def test_every_success_response_has_a_real_example():
    """Issue 17: no ``{"additionalProp1": "string"}`` in Swagger: a success body is either a
    described schema or carries a real example (the whole envelope)."""
    schema = generated_schema()
    components = schema["components"]["schemas"]

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    missing = []
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            body = response.get("content", {}).get("application/json")
            if not code.startswith("2") or body is None:
                continue
            data = resolve(body["schema"]).get("properties", {}).get("data", {})
            data = resolve(data) if data else {}
            free_form = data.get("type") == "object" and not data.get("properties")
            if free_form and not body.get("examples"):
                missing.append(f"{method.upper()} {path} {code}")
            for example in body.get("examples", {}).values():
                assert example["value"]["success"] is True and example["value"]["data"], (path, method)
    assert missing == []
