"""500s from input found by the fuzzer (issue 10 item 5): each is a 4xx in the envelope."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # > 2**64


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    if code:
        assert body["error"]["code"] == code
    assert "Traceback" not in response.content.decode()
    return body


@pytest.mark.parametrize(
    "path, role",
    [
        (f"/api/v1/customers/{HUGE}/detail", "ADMIN"),
        (f"/api/v1/customers/{HUGE}/sessions", "ADMIN"),
        (f"/api/v1/customers/{HUGE}/orders", "ADMIN"),
        (f"/api/v1/customers/{HUGE}/analytics", "ADMIN"),
        (f"/api/v1/customers/segments/{HUGE}", "ADMIN"),
        (f"/api/v1/customers/{HUGE}/recommendations", "ADMIN"),
        (f"/api/v1/analytics/users/{HUGE}/behavior", "ADMIN"),
        (f"/api/v1/analytics/sales/forecast?product_id={HUGE}", "ADMIN"),
        (f"/api/v1/audit/logs?customer={HUGE}", "ADMIN"),
        ("/api/v1/customers/9223372036854775808/detail", "ADMIN"),
        ("/api/v1/analytics/dashboard?end_date=0001-01-01", "ADMIN"),
        ("/api/v1/analytics/dashboard?start_date=0001-01-01&end_date=0001-01-02", "ADMIN"),
        ("/api/v1/analytics/sales/forecast?as_of=0001-01-01", "ADMIN"),
        ("/api/v1/audit/logs?date_to=9999-12-31", "ADMIN"),
    ],
)
def test_out_of_range_ids_and_calendar_edges_are_4xx(api_client_for, path, role):
    response = api_client_for(role).get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.content[:300])
    assert response.json()["success"] is False


def test_calendar_edges_in_search_filters_answer(api_client_for):
    response = api_client_for("STAFF").get(
        "/api/v1/customers/search", {"last_visit_from": "0001-01-01", "last_visit_to": "9999-12-31"}
    )
    assert response.status_code == 200
    response = api_client_for("ADMIN").get("/api/v1/audit/logs", {"date_from": "0001-01-01"})
    assert response.status_code in (200, 400)  # a valid (empty) answer or a range error, never a 500
    assert response["Content-Type"].startswith("application/json")


def test_deeply_nested_json_login_is_400(api_client):
    body = "[" * 50_000 + "]" * 50_000
    response = api_client.post("/api/v1/auth/token", body, content_type="application/json")
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_nested_preferences_are_400_and_change_nothing(api_client_for):
    from customers.models import CustomerPreference
    from customers.testing.factories import CustomerFactory

    customer = CustomerFactory()
    nested = '{"preferences": {"health_interests": ' + "[" * 10_000 + "]" * 10_000 + "}}"
    response = api_client_for("ADMIN").patch(
        f"/api/v1/customers/{customer.pk}/detail", nested, content_type="application/json"
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")
    assert not CustomerPreference.objects.filter(customer=customer).exists()


def test_too_many_form_fields_is_400(api_client):
    fields = "&".join(f"f{i}=x" for i in range(3000))
    response = api_client.post(
        "/api/v1/auth/token", fields + "&username=a&password=b", content_type="application/x-www-form-urlencoded"
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_chunked_body_over_the_limit_is_413(api_client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = b'{"name": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    client = api_client_for("ADMIN")
    response = client.generic(
        "POST",
        "/api/v1/customers",
        body,
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


def test_chunked_body_within_the_limit_is_read(api_client_for):
    client = api_client_for("ADMIN")
    response = client.generic(
        "POST",
        "/api/v1/customers",
        b'{"name": "\xec\xb2\xad\xed\x81\xac", "phone": "010-1111-2222"}',
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("host", ["evil.example.com", "bad host", "evil.example.com:8000"])
def test_bad_host_header_is_enveloped(host, settings):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    response = Client().get("/api/v1/health", HTTP_HOST=host)
    assert_envelope(response, 400, "VALIDATION_ERROR")
