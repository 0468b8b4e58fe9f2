"""Every response under /api/ is the envelope: success and every error kind, request id echo."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/_test/staff"


def assert_error(response, status: int, code: str, request_id: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"success", "error", "timestamp", "request_id"}
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]  # Korean, never empty
    assert isinstance(body["error"]["details"], dict)
    assert body["timestamp"].endswith("Z")
    assert body["request_id"] == response["X-Request-ID"]
    if request_id:
        assert body["request_id"] == request_id
    return body


def test_success_envelope(api_client_for, test_routes):
    response = api_client_for("STAFF").get(STAFF, HTTP_X_REQUEST_ID="abc-123")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"success", "data", "message", "timestamp", "request_id"}
    assert (body["success"], body["message"], body["request_id"]) == (True, "Success", "abc-123")
    assert body["data"] == {"name": "staff-user", "role": "STAFF", "kind": "user"}
    assert response["X-Request-ID"] == "abc-123"


def test_401_missing_and_invalid(api_client, test_routes):
    assert_error(api_client.get(STAFF), 401, "MISSING_TOKEN")
    assert_error(api_client.get(STAFF, HTTP_AUTHORIZATION="Bearer nope"), 401, "INVALID_TOKEN")


def test_403_below_the_least_role(api_client_for, test_routes):
    body = assert_error(api_client_for("STAFF").get("/api/v1/_test/admin"), 403, "UNAUTHORIZED_ACCESS")
    assert body["error"]["message"] == "이 작업을 수행할 권한이 없습니다"


def test_403_for_a_route_missing_from_the_policy_table(api_client_for, test_routes):
    assert_error(api_client_for("ADMIN").get("/api/v1/_test/unlisted"), 403, "UNAUTHORIZED_ACCESS")


def test_403_for_a_method_the_view_has_but_the_table_does_not(api_client_for, test_routes):
    # test-manager allows GET only; the view also has post()
    assert_error(api_client_for("ADMIN").post("/api/v1/_test/manager", {}, format="json"), 403, "UNAUTHORIZED_ACCESS")


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/customers/abc/detail/extra", "/api/nothing/"])
def test_404_unknown_path_under_api(api_client, path):
    body = assert_error(api_client.get(path, HTTP_X_REQUEST_ID="r404"), 404, "NOT_FOUND", "r404")
    assert body["error"]["message"] == "요청한 리소스를 찾을 수 없습니다"


def test_405_method_not_allowed(api_client_for, test_routes):
    response = api_client_for("ADMIN").delete(STAFF)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response["Allow"]


def test_405_on_a_platform_route(api_client):
    assert_error(api_client.get("/api/v1/auth/token"), 405, "METHOD_NOT_ALLOWED")


def test_406_not_acceptable(api_client_for, test_routes):
    assert_error(api_client_for("STAFF").get(STAFF, HTTP_ACCEPT="text/html"), 406, "NOT_ACCEPTABLE")


def test_413_body_too_large(api_client_for, test_routes, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_client_for("STAFF")
    response = client.post(STAFF, {"blob": "x" * 2000}, format="json", HTTP_X_REQUEST_ID="big-1")
    assert_error(response, 413, "PAYLOAD_TOO_LARGE", "big-1")
    # just under the limit passes
    assert client.post(STAFF, {"blob": "x" * 900}, format="json").status_code == 200


def test_413_also_for_anonymous_callers(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    assert_error(
        api_client.post("/api/v1/auth/token", {"username": "x" * 500}, format="json"), 413, "PAYLOAD_TOO_LARGE"
    )


def test_415_unsupported_media_type(api_client_for, test_routes):
    response = api_client_for("STAFF").post(STAFF, data="<xml/>", content_type="application/xml")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_400_malformed_json(api_client_for, test_routes):
    response = api_client_for("STAFF").post(STAFF, data="{not json", content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["message"] == "요청 본문을 해석할 수 없습니다"


def test_429_rate_limited(api_client_for, test_routes, settings):
    settings.RATE_LIMIT_OVERRIDES = {"general": "1/m"}
    client = api_client_for("STAFF")
    client.get(STAFF)
    response = client.get(STAFF)
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert int(response["Retry-After"]) >= 1


def test_500_hides_the_traceback_and_logs_the_request_id(test_routes, caplog):
    client = APIClient(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/_test/boom", HTTP_X_REQUEST_ID="boom-42")
    body = assert_error(response, 500, "INTERNAL_ERROR", "boom-42")
    text = response.content.decode()
    for secret in ("Traceback", "RuntimeError", "hunter2", "secret internal detail", ".py"):
        assert secret not in text
    assert body["error"]["message"] == "서버 내부 오류가 발생했습니다"
    assert body["error"]["details"] == {}
    records = [r for r in caplog.records if r.exc_info]
    assert records, "the exception must be logged with its traceback"
    assert all(r.request_id == "boom-42" for r in records)
    assert "hunter2" in "".join(logging.Formatter().formatException(r.exc_info) for r in records)


def test_log_format_carries_the_request_id(settings):
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]


@pytest.mark.parametrize("given", ["", "has spaces", "x" * 65, "bad/slash"])
def test_request_id_is_generated_when_missing_or_malformed(api_client, given):
    headers = {"HTTP_X_REQUEST_ID": given} if given else {}
    response = api_client.get("/api/v1/health", **headers)
    request_id = response["X-Request-ID"]
    assert request_id.startswith("req-") and len(request_id) == 36
    assert response.json()["request_id"] == request_id


def test_request_ids_differ_between_requests(api_client):
    first = api_client.get("/api/v1/health")["X-Request-ID"]
    assert api_client.get("/api/v1/health")["X-Request-ID"] != first


def test_non_api_paths_are_not_wrapped(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.has_header("X-Request-ID")
