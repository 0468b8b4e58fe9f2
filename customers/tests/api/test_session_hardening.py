"""Session recording hardening (issue 10 item 2): the package is chosen under the lock,
Idempotency-Key on creating POSTs, bounded dates, STAFF records as themselves."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import AuditLog
from core.models import IdempotencyRecord
from customers.models import Customer, PackageBalance, ServiceSession
from customers.testing.factories import CustomerFactory, PackageFactory, PackagePurchaseFactory

pytestmark = pytest.mark.django_db


def url(customer_id: int) -> str:
    return f"/api/v1/customers/{customer_id}/sessions"


@pytest.fixture
def member(service_catalog) -> Customer:
    customer = CustomerFactory(created_at=timezone.now() - dt.timedelta(days=400))
    PackagePurchaseFactory(
        customer=customer,
        package=PackageFactory(items={"pulse": 10}),
        purchase_date=timezone.localdate() - dt.timedelta(days=10),
        used={"pulse": 5},
    )
    return customer


# --- dates ------------------------------------------------------------------------------
@pytest.mark.parametrize("service_date", ["0001-01-01", "1999-12-31"])
def test_dates_far_in_the_past_are_refused_and_change_nothing(api_client_for, member, service_date):
    before = Customer.objects.values("first_visit_date", "total_visits").get(pk=member.pk)
    response = api_client_for("MANAGER").post(url(member.pk), {"service": "pulse", "service_date": service_date})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "SESSION_DATE_TOO_OLD"
    assert Customer.objects.values("first_visit_date", "total_visits").get(pk=member.pk) == before
    assert not ServiceSession.objects.exists()


def test_date_before_registration_is_refused(api_client_for, service_catalog):
    customer = CustomerFactory(created_at=timezone.now() - dt.timedelta(days=3))
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = api_client_for("MANAGER").post(url(customer.pk), {"service": "pulse", "service_date": day})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["earliest"] == (timezone.localdate() - dt.timedelta(days=3)).isoformat()


def test_date_inside_the_window_is_recorded(api_client_for, member, settings):
    settings.SESSION_BACKDATE_DAYS = 30
    ok = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert api_client_for("MANAGER").post(url(member.pk), {"service": "pulse", "service_date": ok}).status_code == 201
    old = (timezone.localdate() - dt.timedelta(days=31)).isoformat()
    assert api_client_for("MANAGER").post(url(member.pk), {"service": "pulse", "service_date": old}).status_code == 400


# --- who attended -------------------------------------------------------------------------
def test_staff_cannot_record_as_someone_else(api_client_for, member, users):
    response = api_client_for("STAFF").post(url(member.pk), {"service": "pulse", "staff": users["MANAGER"].pk})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "STAFF_NOT_SELF"
    assert not ServiceSession.objects.exists()
    assert PackageBalance.objects.get(purchase__customer=member).used == 5


def test_staff_records_as_themselves(api_client_for, member, users):
    response = api_client_for("STAFF").post(url(member.pk), {"service": "pulse", "staff": users["STAFF"].pk})
    assert response.status_code == 201
    assert ServiceSession.objects.get().staff_id == users["STAFF"].pk
    response = api_client_for("STAFF").post(url(member.pk), {"service": "pulse"})
    assert ServiceSession.objects.latest("id").staff_id == users["STAFF"].pk


def test_manager_may_name_the_staff_member(api_client_for, member, users):
    response = api_client_for("MANAGER").post(url(member.pk), {"service": "pulse", "staff": users["STAFF"].pk})
    assert response.status_code == 201
    assert ServiceSession.objects.get().staff_id == users["STAFF"].pk


# --- Idempotency-Key ----------------------------------------------------------------------
def test_same_key_same_body_replays_the_first_answer(api_client_for, member):
    client = api_client_for("STAFF")
    first = client.post(url(member.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url(member.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["data"] == first.json()["data"]
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceSession.objects.count() == 1
    assert PackageBalance.objects.get(purchase__customer=member).used == 6
    assert AuditLog.objects.filter(action="create", query__entity="service_session").count() == 1


def test_same_key_other_body_is_refused(api_client_for, member):
    client = api_client_for("STAFF")
    client.post(url(member.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = client.post(
        url(member.pk), {"service": "pulse", "satisfaction_rating": 5}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert ServiceSession.objects.count() == 1


def test_keys_are_per_caller_and_failures_store_nothing(api_client_for, member):
    api_client_for("STAFF").post(url(member.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    api_client_for("MANAGER").post(url(member.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert ServiceSession.objects.count() == 2
    bad = api_client_for("STAFF").post(url(member.pk), {"service": "nope"}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-4").exists()


def test_malformed_key_is_a_validation_error(api_client_for, member):
    response = api_client_for("STAFF").post(
        url(member.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 300
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not ServiceSession.objects.exists()


def test_customer_create_honours_the_key(api_client_for):
    client = api_client_for("ADMIN")
    body = {"name": "멱등테스트", "phone": "010-2222-3333"}
    first = client.post("/api/v1/customers", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = client.post("/api/v1/customers", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert first.status_code == again.status_code == 201
    assert Customer.objects.filter(name="멱등테스트").count() == 1


# --- concurrency (PostgreSQL row locks) ---------------------------------------------------
def _burst(n: int, target) -> list:
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome = target()
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_recordings_choose_the_package_under_the_lock(users, service_catalog):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from rest_framework.test import APIClient

    customer = CustomerFactory(created_at=timezone.now() - dt.timedelta(days=400))
    purchase = PackagePurchaseFactory(customer=customer, package=PackageFactory(items={"pulse": 10}), used={"pulse": 5})
    token = str(AccessToken.for_user(users["STAFF"]))

    def post() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.post(url(customer.pk), {"service": "pulse"}, format="json").status_code

    results = _burst(8, post)
    assert results == [201] * 8
    assert PackageBalance.objects.get(purchase=purchase).used == 10  # 5 left → all 5 taken
    assert ServiceSession.objects.filter(purchase=purchase).count() == 5
    assert ServiceSession.objects.filter(customer=customer, purchase__isnull=True).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_once(users, service_catalog):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    from rest_framework.test import APIClient

    customer = CustomerFactory(created_at=timezone.now() - dt.timedelta(days=400))
    token = str(AccessToken.for_user(users["STAFF"]))

    def post() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.post(
            url(customer.pk), {"service": "pulse"}, format="json", HTTP_IDEMPOTENCY_KEY="burst-1"
        ).status_code

    results = _burst(6, post)
    assert set(results) <= {201, 409}
    assert results.count(201) >= 1
    assert ServiceSession.objects.filter(customer=customer).count() == 1
