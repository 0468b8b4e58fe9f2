"""The ETL endpoints: roles, bad requests change nothing, unconfigured servers, the audit row."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from core.models import Job
from etl.models import SyncRun, SyncState

pytestmark = pytest.mark.django_db


def _nothing_created() -> tuple[int, int, int]:
    return SyncRun.objects.count(), Job.objects.count(), SyncState.objects.count()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entity": "customers"}, "entity"),
        ({}, "entity"),
        ({"entity": "products", "mode": "partial"}, "mode"),
        ({"entity": "products", "target": "solr"}, "target"),
        ({"entity": "products", "source": "mysql"}, "source"),
    ],
)
def test_unknown_values_list_the_choices_and_create_nothing(catalog, api_client_for, body, field):
    response = api_client_for("ADMIN").post("/api/v1/etl/sync", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][field] == body.get(field)
    assert isinstance(error["details"]["choices"], list) and error["details"]["choices"]
    assert _nothing_created() == (0, 0, 0)


@pytest.mark.parametrize("body", [["products"], {"entity": 3}, {"entity": "products", "mode": ["full"]}])
def test_malformed_bodies_are_validation_errors(catalog, api_client_for, body):
    response = api_client_for("ADMIN").post("/api/v1/etl/sync", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert _nothing_created() == (0, 0, 0)


@pytest.mark.parametrize("target", ["elasticsearch", "opensearch"])
def test_an_unconfigured_server_target_is_a_validation_error(catalog, api_client_for, target):
    response = api_client_for("ADMIN").post("/api/v1/etl/sync", {"entity": "products", "target": target}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"] == {"target": target, "configured": ["embedded"]}
    assert _nothing_created() == (0, 0, 0)


def test_the_seed_request_on_postgresql(catalog, api_client_for, django_capture_on_commit_callbacks):
    """The seed's body names postgresql: accepted when the application runs on it."""
    from django.db import connection

    body = {"source": "postgresql", "entity": "products", "mode": "incremental"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for("ADMIN").post("/api/v1/etl/sync", body, format="json")
    if connection.vendor == "postgresql":
        assert response.status_code == 202
        assert response.json()["data"]["records_to_sync"] == 5
    else:
        assert response.status_code == 400
        assert response.json()["error"]["details"]["choices"] == [connection.vendor]


@pytest.mark.parametrize(("role", "expected"), [("STAFF", 403), ("MANAGER", 403), ("ADMIN", 202)])
def test_sync_roles(catalog, api_client_for, role, expected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(role).post("/api/v1/etl/sync", {"entity": "products"}, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
        assert _nothing_created() == (0, 0, 0)


def test_internal_service_token_can_sync(catalog, internal_client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = internal_client_for("ADMIN", sub="etl-scheduler").post(
            "/api/v1/etl/sync", {"entity": "products"}, format="json"
        )
    assert response.status_code == 202
    run = SyncRun.objects.get()
    assert run.job.created_by_name == "service:etl-scheduler"


def test_the_sync_is_audited(catalog, api_client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for("ADMIN").post("/api/v1/etl/sync", {"entity": "products"}, format="json")
    job_id = response.json()["data"]["job_id"]
    row = AuditLog.objects.get(action="export")
    assert row.actor_name == "admin-user" and row.role == "ADMIN" and row.status_code == 202
    assert row.query["job_id"] == job_id and row.query["entity"] == "products"
    assert row.query["records_to_sync"] == 5


@pytest.mark.parametrize(("role", "expected"), [("STAFF", 403), ("MANAGER", 403), ("ADMIN", 404)])
def test_job_detail_roles_and_unknown_job(db, api_client_for, role, expected):
    response = api_client_for(role).get("/api/v1/etl/jobs/ETL-20260101-0001")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["error"]["code"] == "ETL_JOB_NOT_FOUND"


def test_search_needs_a_token(db, api_client):
    response = api_client.get("/api/v1/products/search", {"q": "김치"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "MISSING_TOKEN"


def test_product_delete_with_orders_is_refused_and_logs_nothing(db, users):
    from accounts.principal import principal_from_user
    from commerce.models import DeletionLog, Product
    from commerce.services.products import product_delete
    from commerce.testing.factories import OrderFactory
    from core.errors import ApiError

    order = OrderFactory()
    product = order.items.first().product
    with pytest.raises(ApiError) as exc:
        product_delete(actor=principal_from_user(users["ADMIN"]), product=product)
    assert exc.value.code == "VALIDATION_ERROR"
    assert Product.objects.filter(pk=product.pk).exists()
    assert DeletionLog.objects.count() == 0
