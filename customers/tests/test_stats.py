"""The denormalised customer figures equal their derivation after any series of writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import system_principal
from customers.models import HELD_UNTIL_FIELDS, SERVICE_BITS, Customer, ServiceSession
from customers.selectors.stats import customer_stats_derived, customer_stats_stored, satisfaction_average
from customers.services.packages import package_purchase_cancel, package_purchase_create
from customers.services.sessions import session_record
from customers.services.stats import customer_stats_refresh
from customers.testing.factories import CustomerFactory, PackageFactory, ServiceFactory, ServiceSessionFactory

ACTOR = system_principal("test")
pytestmark = pytest.mark.django_db


def test_satisfaction_average_rounds_half_up():
    assert satisfaction_average(rating_sum=33, rating_count=8) == Decimal("4.13")  # 4.125
    assert satisfaction_average(rating_sum=827, rating_count=200) == Decimal("4.14")  # 4.135
    assert satisfaction_average(rating_sum=14, rating_count=3) == Decimal("4.67")
    assert satisfaction_average(rating_sum=0, rating_count=0) is None


def test_stored_figures_follow_a_series_of_writes():
    today = timezone.localdate()
    brain, red = ServiceFactory(code="brain"), ServiceFactory(code="red")
    package = PackageFactory(price=Decimal("450000"), items={"brain": 10, "red": 5})
    old = {"created_at": timezone.now() - dt.timedelta(days=365)}  # registered before the history
    a, b, idle = CustomerFactory(**old), CustomerFactory(**old), CustomerFactory(**old)
    ids = [a.pk, b.pk, idle.pk]

    p1 = package_purchase_create(actor=ACTOR, customer=a, package=package, purchase_date=today - dt.timedelta(days=40))
    package_purchase_create(
        actor=ACTOR, customer=a, package=package, purchase_date=today - dt.timedelta(days=5), price_paid=400000
    )
    package_purchase_create(actor=ACTOR, customer=b, package=package, purchase_date=today - dt.timedelta(days=30))
    ratings = [5, 4, 4, None, 3, 5, 4, 2]
    for i, rating in enumerate(ratings):
        session_record(
            actor=ACTOR,
            customer=a if i % 3 else b,
            service=brain if i % 2 else red,
            service_date=today - dt.timedelta(days=30 - i * 3),
            satisfaction_rating=rating,
        )
        assert customer_stats_stored(customer_ids=ids) == customer_stats_derived(customer_ids=ids)
    package_purchase_cancel(actor=ACTOR, purchase=p1, reason="환불")

    stored = customer_stats_stored(customer_ids=ids)
    assert stored == customer_stats_derived(customer_ids=ids)
    assert stored[a.pk]["total_revenue"] == Decimal("400000")
    assert stored[b.pk]["total_revenue"] == Decimal("450000")
    assert stored[a.pk]["total_visits"] + stored[b.pk]["total_visits"] == len(ratings)
    assert stored[idle.pk] == {
        "total_visits": 0,
        "first_visit_date": None,
        "last_visit_date": None,
        "total_revenue": Decimal("0"),
        "average_satisfaction": None,
        "used_services_mask": 0,
        "last_package_expiry": None,
        "held_until": dict.fromkeys(HELD_UNTIL_FIELDS),
    }
    # search columns: a used brain and red; the cancelled p1 no longer counts for holding
    assert stored[a.pk]["used_services_mask"] == SERVICE_BITS["brain"] | SERVICE_BITS["red"]
    p2_expiry = today - dt.timedelta(days=5) + dt.timedelta(days=package.validity_days)
    assert stored[a.pk]["last_package_expiry"] == p2_expiry
    assert stored[a.pk]["held_until"] == {**dict.fromkeys(HELD_UNTIL_FIELDS), "brain": p2_expiry, "red": p2_expiry}


def test_refresh_all_repairs_drift_and_resets_customers_without_history():
    customer = CustomerFactory()
    for rating in (5, 4, 4):  # 13/3 = 4.333…
        ServiceSessionFactory(customer=customer, satisfaction_rating=rating)
    ghost = CustomerFactory()
    Customer.objects.filter(pk=ghost.pk).update(total_visits=9, total_revenue=123)

    assert customer_stats_refresh(customer_ids=None) == Customer.objects.count()

    customer.refresh_from_db()
    ghost.refresh_from_db()
    assert (customer.total_visits, customer.average_satisfaction) == (3, Decimal("4.33"))
    assert (ghost.total_visits, ghost.total_revenue) == (0, Decimal("0"))
    ServiceSession.objects.filter(customer=customer).delete()
    customer_stats_refresh(customer_ids=[customer.pk])
    customer.refresh_from_db()
    assert (customer.total_visits, customer.first_visit_date, customer.average_satisfaction) == (0, None, None)


def test_refresh_agrees_with_derivation_on_awkward_averages():
    customers = []
    for n, total in ((8, 33), (200, 827), (3, 14), (7, 30)):
        customer = CustomerFactory()
        customers.append(customer.pk)
        ratings = [total // n] * n
        for i in range(total - sum(ratings)):
            ratings[i] += 1
        service = ServiceFactory(code="brain")
        ServiceSession.objects.bulk_create(
            ServiceSession(
                customer=customer,
                service=service,
                service_date=dt.date(2026, 1, 1),
                duration_minutes=40,
                satisfaction_rating=r,
            )
            for r in ratings
        )
    customer_stats_refresh(customer_ids=customers)
    stored = customer_stats_stored(customer_ids=customers)
    assert stored == customer_stats_derived(customer_ids=customers)
    assert [stored[c]["average_satisfaction"] for c in customers] == [
        Decimal("4.13"),
        Decimal("4.14"),
        Decimal("4.67"),
        Decimal("4.29"),
    ]


def test_recompute_command_checks_and_repairs():
    from io import StringIO

    from django.core.management import CommandError, call_command

    customer = CustomerFactory()
    ServiceSessionFactory(customer=customer, satisfaction_rating=5)
    Customer.objects.filter(pk=customer.pk).update(total_visits=0)
    with pytest.raises(CommandError, match=f"다른 고객 1명: {customer.pk}"):
        call_command("recompute_customer_stats", "--check", stdout=StringIO())

    out = StringIO()
    call_command("recompute_customer_stats", "--customer", str(customer.pk), stdout=out)

    assert "고객 1명 재계산" in out.getvalue()
    customer.refresh_from_db()
    assert customer.total_visits == 1
    call_command("recompute_customer_stats", "--check", stdout=out)
    assert "모두 일치" in out.getvalue()
