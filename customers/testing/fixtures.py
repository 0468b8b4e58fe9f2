"""Center fixtures (a ``pytest_plugins`` entry of the root ``conftest.py``):

- ``service_catalog``: the five services of ``customers.catalog``;
- ``center``: a small center around one customer with every kind of personal and health data.

    def test_x(api_client_for, center):
        customer = center["customer"]
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.testing.factories import UserFactory
from customers.catalog import SERVICES
from customers.models import MembershipLevel
from customers.testing.factories import (
    CustomerFactory,
    CustomerPreferenceFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceFactory,
    ServiceSessionFactory,
)


@pytest.fixture
def service_catalog(db) -> dict:
    """The five services of ``customers.catalog``, by code."""
    return {spec.code: ServiceFactory(code=spec.code) for spec in SERVICES}


@pytest.fixture
def center(service_catalog) -> dict:
    """One VIP customer with every kind of personal and health data (김영희, 010-1234-5678,
    kim@example.com), a package half used and five sessions by the staff member 이직원."""
    today = timezone.localdate()
    staff = UserFactory(username="lee", display_name="이직원")
    customer = CustomerFactory(
        name="김영희",
        phone="010-1234-5678",
        email="kim@example.com",
        address="서울시 강남구 테헤란로 1",
        emergency_contact="010-8765-4321",
        membership_level=MembershipLevel.VIP,
        health_goals="스트레스 관리, 수면 개선",
        assigned_staff=staff,
        first_visit_date=today - dt.timedelta(days=56),
        last_visit_date=today - dt.timedelta(days=2),
        total_visits=5,
        total_revenue=Decimal("900000"),
        average_satisfaction=Decimal("4.40"),
    )
    CustomerPreferenceFactory(customer=customer, health_interests=["스트레스", "수면"])
    package = PackageFactory(name="프리미엄 케어", price=Decimal("900000"), items={"brain": 10, "pulse": 10})
    purchase = PackagePurchaseFactory(
        customer=customer,
        package=package,
        purchase_date=today - dt.timedelta(days=60),
        expiry_date=today + dt.timedelta(days=25),
        used={"brain": 5, "pulse": 3},
    )
    sessions = []
    for i, days in enumerate((56, 42, 28, 14, 2)):
        sessions.append(
            ServiceSessionFactory(
                customer=customer,
                service=service_catalog["brain"] if i % 2 == 0 else service_catalog["pulse"],
                staff=staff,
                purchase=purchase,
                service_date=today - dt.timedelta(days=days),
                satisfaction_rating=4 + (i % 2),
                session_notes=f"메모 {i}",
            )
        )
    return {"customer": customer, "staff": staff, "purchase": purchase, "sessions": sessions, "today": today}
