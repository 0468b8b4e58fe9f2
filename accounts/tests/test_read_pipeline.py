"""The declared read pipeline (accounts/api/read.py), its cache-time and pagination helpers,
and the response shapes it declares for the schema."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator

from accounts import policy
from accounts.api import read as read_module
from accounts.api.read import ReadPipeline
from accounts.models import AuditLog
from accounts.policy import cache_seconds
from accounts.tests import read_urls
from core.pagination import PageQuerySerializer, pagination

pytestmark = pytest.mark.django_db


@pytest.fixture
def read_routes(settings, monkeypatch):
    settings.ROOT_URLCONF = "accounts.tests.read_urls"
    for name, rules in read_urls.READ_POLICY.items():
        monkeypatch.setitem(policy.POLICY, name, rules)
    read_urls.COMPUTED.clear()
    yield
    read_urls.COMPUTED.clear()


@pytest.fixture
def ttls(monkeypatch):
    """The ``ttl`` each cached read passed to the cache."""
    seen: list[int] = []
    real = read_module.cached_result

    def recording(*args, **kwargs):
        seen.append(kwargs["ttl"])
        return real(*args, **kwargs)

    monkeypatch.setattr(read_module, "cached_result", recording)
    return seen


# --- helpers ------------------------------------------------------------------------------


def test_cache_seconds_reads_the_access_table():
    assert cache_seconds("customer-detail") == 300
    assert cache_seconds("customer-analytics") == 3600
    assert cache_seconds("recommendations-user-products") == 24 * 3600
    assert cache_seconds("customer-detail", "HEAD") == 300  # HEAD follows GET


@pytest.mark.parametrize(("route", "method"), [("customer-search", "GET"), ("customer-detail", "PUT"), ("nope", "GET")])
def test_cache_seconds_refuses_a_route_without_a_cache_time(route, method):
    with pytest.raises(ImproperlyConfigured, match=route):
        cache_seconds(route, method)


@pytest.mark.parametrize(
    ("total", "page", "size", "total_pages"), [(0, 1, 20, 0), (1, 1, 20, 1), (40, 2, 20, 2), (41, 3, 20, 3)]
)
def test_pagination_block(total, page, size, total_pages):
    assert pagination(total=total, page=page, size=size) == {
        "total": total,
        "page": page,
        "size": size,
        "total_pages": total_pages,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [({}, {"page": 1, "size": 20}), ({"page": "3", "size": "500"}, {"page": 3, "size": 100})],
)
def test_page_query_defaults_and_clips_size(query, expected):
    serializer = PageQuerySerializer(data=query)
    assert serializer.is_valid(), serializer.errors
    assert dict(serializer.validated_data) == expected


@pytest.mark.parametrize("query", [{"page": "0"}, {"size": "0"}, {"page": "100001"}])
def test_page_query_refuses_out_of_range(query):
    assert not PageQuerySerializer(data=query).is_valid()


# --- the pipeline -------------------------------------------------------------------------


def test_miss_then_hit_computes_once_and_audits_both(read_routes, ttls, api_client_for):
    client = api_client_for("STAFF")
    first = client.get("/api/v1/_test/read/7?n=3")
    second = client.get("/api/v1/_test/read/7?n=3")
    assert first.status_code == second.status_code == 200
    masked = {"customer": {"name": "홍*동", "phone": "010-****-5678"}, "n": 3}
    assert first.json()["data"] == second.json()["data"] == masked
    assert read_urls.COMPUTED == [{"n": 3}]
    assert ttls == [123, 123]  # the access table's time for this route
    rows = list(AuditLog.objects.order_by("id").values_list("action", "customer_ids", "query", "cache_hit"))
    assert rows == [("view", [7], {"n": 3}, False), ("view", [7], {"n": 3}, True)]


def test_the_cache_key_holds_the_query(read_routes, api_client_for):
    client = api_client_for("STAFF")
    client.get("/api/v1/_test/read/7?n=3")
    client.get("/api/v1/_test/read/7?n=4")
    client.get("/api/v1/_test/read/8?n=3")
    assert read_urls.COMPUTED == [{"n": 3}, {"n": 4}, {"n": 3}]


def test_audit_row_lists_what_reveal_showed(read_routes, api_client_for):
    response = api_client_for("ADMIN").get("/api/v1/_test/read/7?n=1")
    assert response.json()["data"]["customer"] == {"name": "홍길동", "phone": "010-1234-5678"}
    row = AuditLog.objects.get()
    assert (row.fields_unmasked, row.fields_health, row.status_code) == (["name", "phone"], [], 200)


def test_invalid_query_is_400_without_compute_or_audit(read_routes, api_client_for):
    response = api_client_for("STAFF").get("/api/v1/_test/read/7?n=0")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert read_urls.COMPUTED == []
    assert not AuditLog.objects.filter(action="view").exists()


def test_check_runs_before_validation(read_routes, api_client_for):
    response = api_client_for("STAFF").get(f"/api/v1/_test/read/{read_urls.MISSING_CUSTOMER}?n=0")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
    assert read_urls.COMPUTED == []


def test_uncached_read_without_audit_action_writes_no_row(read_routes, api_client_for):
    client = api_client_for("STAFF")
    assert client.get("/api/v1/_test/read-plain").json()["data"] == {"ok": True}
    assert client.get("/api/v1/_test/read-plain").json()["data"] == {"ok": True}
    assert read_urls.COMPUTED == [{}, {}]
    assert not AuditLog.objects.filter(action="view").exists()


def test_cached_read_on_a_route_without_cache_time_fails_loudly(read_routes, api_client_for):
    client = api_client_for("STAFF")
    client.raise_request_exception = False
    response = client.get("/api/v1/_test/read-uncached/7?n=1")
    assert response.status_code == 500
    assert read_urls.COMPUTED == []


def test_body_read_answers_post_only(read_routes, api_client_for):
    client = api_client_for("STAFF")
    response = client.post("/api/v1/_test/read-body", {"n": 4}, format="json")
    assert (response.status_code, response.json()["data"]) == (200, {"double": 8})
    assert client.get("/api/v1/_test/read-body").status_code == 405
    assert client.post("/api/v1/_test/read-body", {"n": 11}, format="json").status_code == 400


# --- the declared shapes ------------------------------------------------------------------


def _read_views() -> dict[str, type]:
    """URL name → view class of every read endpoint of the project."""
    found: dict[str, type] = {}

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns)
            else:
                cls = getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)
                if cls and issubclass(cls, ReadPipeline):
                    found[p.name] = cls

    walk(get_resolver().url_patterns)
    return found


def test_every_read_view_declares_its_output_and_its_cache_time():
    views = _read_views()
    assert set(views) == {
        "audit-logs",
        "customer-detail",
        "customer-search",
        "customer-list",
        "customer-sessions",
        "customer-orders",
        "customer-analytics",
        "customer-segment",
        "customer-recommendations",
        "analytics-dashboard",
        "analytics-user-behavior",
        "analytics-sales-forecast",
        "recommendations-user-products",
        "recommendations-product-related",
        "reports-detail",
        "etl-job-detail",
        "products-search",
        "ml-pricing-optimize",
        "images-validate",
        "images-ocr",
        "ml-sentiment-analyze",
    }
    for name, cls in views.items():
        assert cls.output_serializer is not None, name
        if cls.cache_name:
            assert cache_seconds(name, cls.read_http_method) > 0


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("path", "method", "component"),
    [
        ("/api/v1/customers/{customer_id}/detail", "get", "CustomerDetailOutput"),
        ("/api/v1/customers/search", "get", "CustomerPageOutput"),
        ("/api/v1/customers/{customer_id}/orders", "get", "OrderPageOutput"),
        ("/api/v1/analytics/dashboard", "get", "DashboardOutput"),
        ("/api/v1/products/search", "get", "ProductSearchOutput"),
    ],
)
def test_schema_shows_the_declared_output_inside_the_envelope(schema, path, method, component):
    body = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["data"] == {"$ref": f"#/components/schemas/{component}"}
    assert schema["components"]["schemas"][component]["properties"]


def _assert_shape(serializer, value, where: str = "data") -> None:
    """Every key of ``value`` is a declared field and every required field is present, all the
    way down through nested serializers."""
    from rest_framework import serializers as s

    if isinstance(serializer, s.ListSerializer):
        for i, item in enumerate(value):
            _assert_shape(serializer.child, item, f"{where}[{i}]")
        return
    if not isinstance(serializer, s.Serializer) or value is None:
        return
    fields = serializer.fields
    assert set(value) <= set(fields), f"{where}: undeclared {sorted(set(value) - set(fields))}"
    required = {name for name, f in fields.items() if f.required}
    assert required <= set(value), f"{where}: missing {sorted(required - set(value))}"
    for name, field in fields.items():
        if name in value:
            _assert_shape(field, value[name], f"{where}.{name}")


def test_customer_responses_have_the_declared_shapes(api_client_for):
    from customers.api.serializers import (
        CustomerDeletedOutput,
        CustomerDetailOutput,
        CustomerPageOutput,
        CustomerUpdatedOutput,
        SessionPageOutput,
    )

    admin = api_client_for("ADMIN")
    created = admin.post(
        "/api/v1/customers",
        {"name": "이서우", "phone": "010-3723-1861", "gender": "female", "birth_year": 1992},
        format="json",
    )
    assert created.status_code == 201
    _assert_shape(CustomerDetailOutput(), created.json()["data"], "POST /customers")
    customer_id = created.json()["data"]["customer"]["customer_id"]
    updated = admin.patch(f"/api/v1/customers/{customer_id}/detail", {"occupation": "교사"}, format="json")
    assert updated.json()["data"]["changed_fields"] == ["occupation"]
    _assert_shape(CustomerUpdatedOutput(), updated.json()["data"], "PATCH detail")
    for role in ("STAFF", "ADMIN"):
        client = api_client_for(role)
        for url, output in [
            (f"/api/v1/customers/{customer_id}/detail", CustomerDetailOutput),
            ("/api/v1/customers/search?q=이서우", CustomerPageOutput),
            ("/api/v1/customers", CustomerPageOutput),
            (f"/api/v1/customers/{customer_id}/sessions", SessionPageOutput),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_shape(output(), response.json()["data"], url)
    deleted = admin.delete(f"/api/v1/customers/{customer_id}")
    assert deleted.json()["data"] == {"customer_id": customer_id, "outcome": "deleted"}
    _assert_shape(CustomerDeletedOutput(), deleted.json()["data"], "DELETE")


def test_schema_keeps_the_pipelines_developer_docstrings_out(schema):
    # views without a docstring of their own do not inherit ReadView's / PagedReadView's
    assert "description" not in schema["paths"]["/api/v1/audit/logs"]["get"]
    assert "description" not in schema["paths"]["/api/v1/analytics/dashboard"]["get"]
    # a write on a class that also reads keeps its own parameters only
    put = schema["paths"]["/api/v1/customers/{customer_id}/detail"]["put"]
    assert [p["name"] for p in put["parameters"]] == ["customer_id"]
