"""OpenAPI: the schema validates, documents auth, the envelope and every error status; it is
served to STAFF+ (JWT or an admin session); and a schemathesis run over every operation finds
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


def test_schema_needs_staff(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "MISSING_TOKEN"


def test_schema_with_a_bearer_token(api_client_for):
    response = api_client_for("STAFF").get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_sends_a_browser_without_session_to_the_admin_login(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/api/docs/")


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
