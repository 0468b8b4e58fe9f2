from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.sealing import unseal
from accounts.testing.contract import EndpointContract, Subject
from customers.models import MembershipLevel, RiskLevel
from customers.testing.factories import (
    CustomerFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceSessionFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/search"


@pytest.fixture
def people(service_catalog) -> dict:
    today = timezone.localdate()
    a = CustomerFactory(
        name="김영희",
        phone="010-1234-5678",
        email="kim@example.com",
        membership_level=MembershipLevel.VIP,
        risk_level=RiskLevel.STABLE,
        total_visits=12,
        total_revenue=Decimal("2500000"),
        last_visit_date=today - dt.timedelta(days=3),
        first_visit_date=today - dt.timedelta(days=200),
    )
    b = CustomerFactory(
        name="박철수",
        phone="01099998888",
        email="park@example.com",
        membership_level=MembershipLevel.BASIC,
        risk_level=RiskLevel.DANGER,
        total_visits=3,
        total_revenue=Decimal("300000"),
        last_visit_date=today - dt.timedelta(days=100),
        first_visit_date=today - dt.timedelta(days=300),
    )
    c = CustomerFactory(
        name="이민수",
        phone="010-5555-1234",
        email="lee@example.com",
        membership_level=MembershipLevel.PREMIUM,
        risk_level=RiskLevel.WARNING,
        total_visits=7,
        total_revenue=Decimal("1200000"),
        last_visit_date=today - dt.timedelta(days=30),
        first_visit_date=today - dt.timedelta(days=90),
    )
    package = PackageFactory(name="프리미엄 케어", items={"brain": 10, "pulse": 10})
    PackagePurchaseFactory(
        customer=a, package=package, expiry_date=today + dt.timedelta(days=60), used={"brain": 5, "pulse": 3}
    )
    # c: expires within 14 days
    PackagePurchaseFactory(
        customer=c,
        package=PackageFactory(name="레드 10회", items={"red": 10}),
        expiry_date=today + dt.timedelta(days=7),
        used={"red": 9},
    )
    # b: only an expired package
    PackagePurchaseFactory(
        customer=b,
        package=package,
        purchase_date=today - dt.timedelta(days=300),
        expiry_date=today - dt.timedelta(days=120),
    )
    ServiceSessionFactory(customer=a, service=service_catalog["brain"])
    ServiceSessionFactory(customer=b, service=service_catalog["lymph"])
    ServiceSessionFactory(customer=c, service=service_catalog["red"])
    return {"a": a, "b": b, "c": c}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["customer_id"] for row in response.json()["data"]["customers"]]


def test_search_row_shape_and_summary(api_client_for, people):
    data = api_client_for("ADMIN").get(URL, {"q": "김영희"}).json()["data"]
    [row] = data["customers"]
    assert row == {
        "customer_id": people["a"].pk,
        "name": "김영희",
        "phone": "010-1234-5678",
        "first_visit_date": people["a"].first_visit_date.isoformat(),
        "last_visit_date": people["a"].last_visit_date.isoformat(),
        "total_visits": 12,
        "active_package": "프리미엄 케어",
        "package_usage_summary": "브5/10 펄3/10",
        "membership_level": "VIP",
        "risk_level": "stable",
        "total_revenue": 2500000,
    }
    assert data["pagination"] == {"total": 1, "page": 1, "size": 20, "total_pages": 1}
    assert data["filters_applied"] == {"q": "김영희"}


@pytest.mark.parametrize(
    "q", ["01099998888", "010-9999-8888", "9999-8888", "99998888", "8888", "PARK@example.com", "박철수", "#{b}"]
)
def test_search_masked_caller_matches_whole_values_and_last_four(api_client_for, people, q):
    q = q.format(b=people["b"].pk)
    assert ids(api_client_for("STAFF").get(URL, {"q": q})) == [people["b"].pk]


@pytest.mark.parametrize("q", ["01099998888", "9999-8888", "8888", "park@", "철수", "박철", "99988", "999988"])
def test_search_unmasked_caller_matches_parts(api_client_for, people, q):
    assert ids(api_client_for("ADMIN").get(URL, {"q": q})) == [people["b"].pk]


def test_search_q_digits_match_dashed_phone(api_client_for, people):
    assert ids(api_client_for("STAFF").get(URL, {"q": "01055551234"})) == [people["c"].pk]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"package_status": "active"}, ["a", "c"]),
        ({"package_status": "expiring"}, ["c"]),
        ({"package_status": "expired"}, ["b"]),
        ({"membership_level": "vip"}, ["a"]),
        ({"membership_level": "PREMIUM"}, ["c"]),
        ({"risk_level": "danger"}, ["b"]),
        ({"service_filter": "lymph"}, ["b"]),
        ({"service_filter": "brain,red"}, ["a", "c"]),
        ({"service_filter": "pulse", "package_status": "active"}, ["a"]),
    ],
)
def test_search_filters(api_client_for, people, params, expected):
    found = ids(api_client_for("STAFF").get(URL, {**params, "sort_by": "name"}))
    assert sorted(found) == sorted(people[k].pk for k in expected)


def test_search_last_visit_range(api_client_for, people):
    today = timezone.localdate()
    params = {
        "last_visit_from": (today - dt.timedelta(days=40)).isoformat(),
        "last_visit_to": (today - dt.timedelta(days=10)).isoformat(),
    }
    assert ids(api_client_for("STAFF").get(URL, params)) == [people["c"].pk]


@pytest.mark.parametrize(
    "params, order",
    [
        ({"sort_by": "-revenue"}, ["a", "c", "b"]),
        ({"sort_by": "revenue"}, ["b", "c", "a"]),
        ({"sort_by": "revenue", "order": "desc"}, ["a", "c", "b"]),
        ({"sort_by": "total_visits", "order": "asc"}, ["b", "c", "a"]),
        ({"sort_by": "name"}, ["a", "b", "c"]),
        ({"sort_by": "-last_visit"}, ["a", "c", "b"]),
        ({}, ["a", "c", "b"]),
    ],
)
def test_search_sorting(api_client_for, people, params, order):
    assert ids(api_client_for("STAFF").get(URL, params)) == [people[k].pk for k in order]


def test_search_pagination_and_max_size(api_client_for, people):
    client = api_client_for("STAFF")
    data = client.get(URL, {"sort_by": "name", "size": 2, "page": 2}).json()["data"]
    assert [r["customer_id"] for r in data["customers"]] == [people["c"].pk]
    assert data["pagination"] == {"total": 3, "page": 2, "size": 2, "total_pages": 2}
    assert client.get(URL, {"size": 1000}).json()["data"]["pagination"]["size"] == 100


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort_by": "height"}, "sort_by"),
        ({"package_status": "soon"}, "package_status"),
        ({"service_filter": "brain,sauna"}, "service_filter"),
        ({"page": 0}, "page"),
        ({"last_visit_from": "2024-05-01", "last_visit_to": "2024-04-01"}, "last_visit_from"),
    ],
)
def test_search_invalid_params(api_client_for, people, params, field):
    response = api_client_for("STAFF").get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]["fields"]
    assert not AuditLog.objects.filter(action="search").exists()


@pytest.mark.parametrize("role, masked", [("STAFF", True), ("MANAGER", True), ("ADMIN", False)])
def test_search_masking_and_audit(api_client_for, people, role, masked):
    response = api_client_for(role).get(URL, {"q": "010-1234-5678"})
    [row] = response.json()["data"]["customers"]
    assert row["name"] == ("김*희" if masked else "김영희")
    assert row["phone"] == ("010-****-5678" if masked else "010-1234-5678")
    audit = AuditLog.objects.get(action="search")
    assert audit.customer_ids == [people["a"].pk]
    assert audit.query["q"] == "010-****-5678"  # the term itself is masked in the log
    assert audit.query["q_kind"] == "phone"
    assert unseal(audit.query["q_sealed"]) == "010-1234-5678"  # readable by investigators
    assert audit.fields_unmasked == ([] if masked else ["name", "phone"])


def test_search_requires_token(api_client, people):
    assert api_client.get(URL).status_code == 401


def test_search_query_count_bounded(api_client_for, people, service_catalog, django_assert_max_num_queries):
    package = PackageFactory(name="대량", items={"brain": 5, "red": 5})
    for i in range(40):
        customer = CustomerFactory(total_visits=i)
        PackagePurchaseFactory(customer=customer, package=package)
    client = api_client_for("STAFF")
    with django_assert_max_num_queries(7):  # 3 auth + count + page + balances + audit
        response = client.get(URL, {"size": 50, "package_status": "active"})
    assert len(response.json()["data"]["customers"]) == 42


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestSearchContract(EndpointContract):
    url_name = "customer-search"
    invalid_query = {"sort_by": "shoe_size"}
    audit_action = AuditLog.Action.SEARCH
    customer_kwarg = None
    shows_name = True

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], query={"membership_level": "vip"})
