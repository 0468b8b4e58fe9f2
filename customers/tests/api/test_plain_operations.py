"""GET/POST /customers, DELETE /customers/{id}, GET/POST /customers/{id}/sessions (the orders of
a customer are commerce's: commerce/tests/test_api_orders.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from customers.models import Customer, PackageBalance, ServiceSession

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["STAFF", "MANAGER", "ADMIN"])
def test_list_for_every_role_masked_below_admin(api_client_for, center, role):
    response = api_client_for(role).get("/api/v1/customers", {"sort_by": "name"})
    assert response.status_code == 200
    [row] = response.json()["data"]["customers"]
    assert row["name"] == ("김영희" if role == "ADMIN" else "김*희")
    audit = AuditLog.objects.get(action="list")
    assert audit.customer_ids == [center["customer"].pk]


def test_create_customer_admin_only(api_client_for, service_catalog):
    body = {
        "name": "최수진",
        "phone": "010-2222-3333",
        "email": "choi@example.com",
        "membership_level": "PREMIUM",
        "preferences": {"preferred_services": ["brain"], "marketing_consent": True},
    }
    denied = api_client_for("MANAGER").post("/api/v1/customers", body, format="json")
    assert denied.status_code == 403
    assert not Customer.objects.filter(name="최수진").exists()
    response = api_client_for("ADMIN").post("/api/v1/customers", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["customer"]["name"] == "최수진"
    assert data["customer"]["membership_level"] == "PREMIUM"
    assert data["preferences"]["preferred_services"] == ["brain"]
    created = Customer.objects.get(pk=data["customer"]["customer_id"])
    assert created.membership_level == "premium"
    assert AuditLog.objects.get(action="create").customer_ids == [created.pk]


def test_create_customer_validation(api_client_for, db):
    response = api_client_for("ADMIN").post("/api/v1/customers", {"email": "x@example.com"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]["fields"]
    assert Customer.objects.count() == 0


def test_delete_customer_with_history_anonymises(api_client_for, center):
    customer = center["customer"]
    assert api_client_for("MANAGER").delete(f"/api/v1/customers/{customer.pk}").status_code == 403
    response = api_client_for("ADMIN").delete(f"/api/v1/customers/{customer.pk}")
    assert response.status_code == 200
    assert response.json()["data"] == {"customer_id": customer.pk, "outcome": "anonymised"}
    customer.refresh_from_db()
    assert customer.name != "김영희"
    assert api_client_for("ADMIN").delete("/api/v1/customers/999999").status_code == 404


def test_sessions_list_redacts_notes(api_client_for, center):
    data = (
        api_client_for("STAFF").get(f"/api/v1/customers/{center['customer'].pk}/sessions", {"size": 2}).json()["data"]
    )
    assert data["pagination"] == {"total": 5, "page": 1, "size": 2, "total_pages": 3}
    assert [s["session_notes"] for s in data["sessions"]] == [None, None]
    admin = api_client_for("ADMIN").get(f"/api/v1/customers/{center['customer'].pk}/sessions").json()["data"]
    assert admin["sessions"][0]["session_notes"] == "메모 4"


def test_record_session_redeems_package(api_client_for, center):
    customer, purchase = center["customer"], center["purchase"]
    client = api_client_for("STAFF")
    response = client.post(
        f"/api/v1/customers/{customer.pk}/sessions",
        {"service": "brain", "satisfaction_rating": 5, "start_time": "10:30", "session_notes": "좋음"},
        format="json",
    )
    assert response.status_code == 201, response.content
    row = response.json()["data"]
    assert row["package_name"] == "프리미엄 케어"
    assert row["session_notes"] is None  # STAFF has no view_health_info
    assert row["staff_name"] == str(client.user)
    assert PackageBalance.objects.get(purchase=purchase, service__code="brain").used == 6
    customer.refresh_from_db()
    assert customer.total_visits == 6  # refreshed by session_record


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"service": "sauna"}, 400, "VALIDATION_ERROR"),
        ({"service": "brain", "satisfaction_rating": 7}, 400, "VALIDATION_ERROR"),
        ({"service": "brain", "service_date": "2999-01-01"}, 400, "SESSION_DATE_IN_FUTURE"),
    ],
)
def test_record_session_refusals_change_nothing(api_client_for, center, body, status, code):
    before = ServiceSession.objects.count()
    response = api_client_for("STAFF").post(f"/api/v1/customers/{center['customer'].pk}/sessions", body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert ServiceSession.objects.count() == before
    assert PackageBalance.objects.get(purchase=center["purchase"], service__code="brain").used == 5


def test_unauthenticated_is_refused_everywhere(api_client, center):
    cid = center["customer"].pk
    for method, path in (
        ("get", "/api/v1/customers"),
        ("post", "/api/v1/customers"),
        ("delete", f"/api/v1/customers/{cid}"),
        ("get", f"/api/v1/customers/{cid}/sessions"),
        ("get", f"/api/v1/customers/{cid}/orders"),
    ):
        assert getattr(api_client, method)(path).status_code == 401
    assert Customer.objects.filter(pk=cid).exists()


def test_total_revenue_decimal_shape(api_client_for, center):
    center["customer"].total_revenue = Decimal("1234567")
    center["customer"].save()
    row = api_client_for("ADMIN").get("/api/v1/customers").json()["data"]["customers"][0]
    assert row["total_revenue"] == 1234567
    assert dt.date.fromisoformat(row["last_visit_date"]) <= timezone.localdate()


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestListContract(EndpointContract):
    url_name = "customer-list"
    invalid_query = {"sort_by": "shoe_size"}
    audit_action = AuditLog.Action.LIST
    customer_kwarg = None
    shows_name = True

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], query={"sort_by": "name"})


class TestCreateContract(EndpointContract):
    url_name = "customer-list"
    method = "POST"
    success_status = 201
    audit_action = AuditLog.Action.CREATE
    customer_kwarg = None

    @pytest.fixture
    def subject(self, service_catalog) -> Subject:
        return Subject(customer=None, body={"name": "최수진", "phone": "010-2222-3333", "email": "choi@example.com"})

    def audited_customer_id(self, subject: Subject, response) -> int:
        return Customer.objects.get(name="최수진").pk


class TestDeleteContract(EndpointContract):
    url_name = "customer-delete"
    method = "DELETE"
    audit_action = AuditLog.Action.DELETE

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"])


class TestSessionsContract(EndpointContract):
    url_name = "customer-sessions"
    invalid_query = {"page": 0}
    audit_action = AuditLog.Action.LIST

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], query={"page": 1, "size": 10})


class TestRecordSessionContract(EndpointContract):
    url_name = "customer-sessions"
    method = "POST"
    success_status = 201
    audit_action = AuditLog.Action.CREATE

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], body={"service": "brain", "satisfaction_rating": 5})

    def snapshot(self, subject: Subject) -> object:
        return super().snapshot(subject), ServiceSession.objects.filter(customer=subject.customer).count()
