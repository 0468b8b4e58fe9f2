from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from analytics.center.peers import percentile
from analytics.center.segments import segment_rules
from customers.models import ServiceSession
from customers.testing.factories import CustomerFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def url(customer_id: int) -> str:
    return f"/api/v1/customers/segments/{customer_id}"


@pytest.fixture
def peers(db) -> dict:
    """Ten peers with 1..10 visits over 300 days and revenue 100k..1M; a star customer with
    40 visits in 200 days, 5M revenue, four services, rating 4.9, last visit 3 days ago."""
    today = timezone.localdate()
    for i in range(1, 11):
        CustomerFactory(
            total_visits=i,
            first_visit_date=today - dt.timedelta(days=300),
            last_visit_date=today - dt.timedelta(days=10 * i),
            total_revenue=Decimal(100000 * i),
            average_satisfaction=Decimal("3.0") + Decimal(i) / 10,
        )
    star = CustomerFactory(
        total_visits=40,
        first_visit_date=today - dt.timedelta(days=200),
        last_visit_date=today - dt.timedelta(days=3),
        total_revenue=Decimal("5000000"),
        average_satisfaction=Decimal("4.90"),
    )
    for code in ("brain", "pulse", "lymph", "red"):
        ServiceSession.objects.create(
            customer=star,
            service=ServiceFactory(code=code),
            service_date=today - dt.timedelta(days=3),
            duration_minutes=30,
        )
    return {"star": star, "today": today}


def test_segment_of_a_star_customer(api_client_for, peers):
    response = api_client_for("MANAGER").get(url(peers["star"].pk))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["primary_segment"] == "health_enthusiast"
    assert data["secondary_segments"] == ["high_value", "regular_visitor", "satisfied_advocate"]
    assert data["characteristics"] == {
        "visit_frequency": "high",
        "spending_level": "premium",
        "service_diversity": "high",
        "loyalty_level": "strong",
    }
    pc = data["peer_comparison"]
    assert pc["spending_percentile"] == 100
    assert pc["visit_frequency_percentile"] == 100
    assert pc["satisfaction_percentile"] == 100
    assert data["rfm_scores"] == {"recency": 5, "frequency": 5, "monetary": 5, "satisfaction": 5}
    assert data["peer_count"] == 11
    assert data["figures"]["services_used"] == 4
    assert AuditLog.objects.get(action="view").customer_ids == [peers["star"].pk]


def test_segment_of_a_dormant_customer(api_client_for, peers):
    gone = CustomerFactory(
        total_visits=2,
        first_visit_date=peers["today"] - dt.timedelta(days=400),
        last_visit_date=peers["today"] - dt.timedelta(days=200),
        total_revenue=Decimal("50000"),
    )
    data = api_client_for("MANAGER").get(url(gone.pk)).json()["data"]
    assert data["primary_segment"] == "dormant"
    assert data["characteristics"]["spending_level"] == "budget"
    assert data["peer_comparison"]["spending_percentile"] == 0


def test_segment_roles_and_errors(api_client_for, peers):
    assert api_client_for("STAFF").get(url(peers["star"].pk)).status_code == 403
    assert api_client_for("MANAGER").get(url(123456)).json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
    newcomer = CustomerFactory()
    response = api_client_for("MANAGER").get(url(newcomer.pk))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INSUFFICIENT_DATA"
    assert response.json()["error"]["details"]["total_visits"] == 0


def test_percentile_mid_rank():
    grid = [1.0, 2.0, 2.0, 3.0]
    assert percentile(grid, 0.5) == 0
    assert percentile(grid, 2.0) == 50  # one below, two equal: (1 + 3) / 2 of 4
    assert percentile(grid, 9.0) == 100
    assert percentile(grid, None) is None


def test_rules_priority():
    assert segment_rules(r=1, f=4, m=4, s=4, diversity=4, tenure_days=400, recency_days=120)[0] == "dormant"
    assert segment_rules(r=2, f=4, m=2, s=3, diversity=1, tenure_days=400, recency_days=60) == ["at_risk"]
    assert segment_rules(r=5, f=2, m=1, s=None, diversity=1, tenure_days=20, recency_days=2) == ["new_customer"]


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestSegmentContract(EndpointContract):
    url_name = "customer-segment"
    audit_action = AuditLog.Action.VIEW

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"])
