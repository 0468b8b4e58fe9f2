"""A small center for the customer API tests: catalog, one customer with a package, sessions
by a named staff member, preferences and health metrics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import MembershipLevel
from customers.tests.factories import (
    CustomerFactory,
    CustomerPreferenceFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceFactory,
    ServiceSessionFactory,
    UserFactory,
)


@pytest.fixture
def catalog(db) -> dict:
    return {code: ServiceFactory(code=code) for code in ("brain", "pulse", "lymph", "red", "ai_bike")}


@pytest.fixture
def center(catalog) -> dict:
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
                service=catalog["brain"] if i % 2 == 0 else catalog["pulse"],
                staff=staff,
                purchase=purchase,
                service_date=today - dt.timedelta(days=days),
                satisfaction_rating=4 + (i % 2),
                session_notes=f"메모 {i}",
            )
        )
    return {"customer": customer, "staff": staff, "purchase": purchase, "sessions": sessions, "today": today}
