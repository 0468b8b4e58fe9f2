"""session_record: redemption rules, refusals that change nothing, concurrency on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import AuditLog
from accounts.principal import system_principal
from core.errors import ApiError
from customers.models import PackageBalance, PurchaseStatus, ServiceSession
from customers.services.sessions import session_record
from customers.testing.factories import (
    CustomerFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceFactory,
)

ACTOR = system_principal("test")
pytestmark = pytest.mark.django_db


def balances(purchase) -> dict[str, tuple[int, int]]:
    return {
        b.service.code: (b.used, b.total)
        for b in PackageBalance.objects.filter(purchase=purchase).select_related("service")
    }


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def test_redeems_one_session_and_refreshes_stats_and_audits(today):
    brain = ServiceFactory(code="brain")
    purchase = PackagePurchaseFactory(package=PackageFactory(items={"brain": 2, "red": 1}))
    customer = purchase.customer

    session = session_record(
        actor=ACTOR, customer=customer, service=brain, service_date=today, satisfaction_rating=5, purchase=purchase
    )

    assert session.purchase_id == purchase.pk
    assert session.duration_minutes == 40  # the service's duration by default
    assert balances(purchase) == {"brain": (1, 2), "red": (0, 1)}
    customer.refresh_from_db()
    assert (customer.total_visits, customer.last_visit_date, str(customer.average_satisfaction)) == (1, today, "5.00")
    row = AuditLog.objects.get(action="create", query__entity="service_session")
    assert row.customer_ids == [customer.pk]
    assert row.actor_name == "test" and row.actor_type == "system"
    assert row.query["purchase_id"] == purchase.pk


def test_without_purchase_uses_the_one_expiring_first(today):
    brain = ServiceFactory(code="brain")
    customer = CustomerFactory()
    package = PackageFactory(items={"brain": 3})
    later = PackagePurchaseFactory(customer=customer, package=package, purchase_date=today - dt.timedelta(days=5))
    sooner = PackagePurchaseFactory(customer=customer, package=package, purchase_date=today - dt.timedelta(days=50))
    expired = PackagePurchaseFactory(customer=customer, package=package, purchase_date=today - dt.timedelta(days=400))
    refunded = PackagePurchaseFactory(
        customer=customer, package=package, purchase_date=today - dt.timedelta(days=60), status=PurchaseStatus.REFUNDED
    )

    session = session_record(actor=ACTOR, customer=customer, service=brain, service_date=today)

    assert session.purchase_id == sooner.pk
    assert balances(sooner)["brain"] == (1, 3)
    assert balances(later)["brain"] == balances(expired)["brain"] == balances(refunded)["brain"] == (0, 3)


def test_without_any_usable_purchase_records_a_paid_visit(today):
    pulse = ServiceFactory(code="pulse")
    purchase = PackagePurchaseFactory(package=PackageFactory(items={"brain": 3}))

    session = session_record(actor=ACTOR, customer=purchase.customer, service=pulse, service_date=today)

    assert session.purchase_id is None
    assert balances(purchase)["brain"] == (0, 3)


@pytest.mark.parametrize(
    ("setup", "code", "status"),
    [
        ("expired", "PACKAGE_EXPIRED", 400),
        ("other_customer", "PACKAGE_NOT_OWNED", 400),
        ("refunded", "PACKAGE_NOT_ACTIVE", 409),
        ("cancelled", "PACKAGE_NOT_ACTIVE", 409),
        ("service_not_in_package", "SERVICE_NOT_IN_PACKAGE", 400),
        ("no_sessions_left", "NO_SESSIONS_LEFT", 409),
        ("before_purchase", "PACKAGE_NOT_STARTED", 400),
    ],
)
def test_refusals_change_nothing(today, setup, code, status):
    brain, pulse = ServiceFactory(code="brain"), ServiceFactory(code="pulse")
    customer = CustomerFactory(created_at=timezone.now() - dt.timedelta(days=365))
    kwargs = {"customer": customer, "package": PackageFactory(items={"brain": 2, "red": 1})}
    service, on = brain, today
    if setup == "expired":
        kwargs |= {"purchase_date": today - dt.timedelta(days=200)}  # validity 180 days
    elif setup == "other_customer":
        kwargs |= {"customer": CustomerFactory()}
    elif setup in ("refunded", "cancelled"):
        kwargs |= {"status": setup}
    elif setup == "service_not_in_package":
        service = pulse
    elif setup == "no_sessions_left":
        kwargs |= {"used": {"brain": 2}}
    elif setup == "before_purchase":
        on = today - dt.timedelta(days=30)
    purchase = PackagePurchaseFactory(**kwargs)
    before = balances(purchase)
    audits = AuditLog.objects.count()

    with pytest.raises(ApiError) as exc:
        session_record(actor=ACTOR, customer=customer, service=service, service_date=on, purchase=purchase)

    assert (exc.value.code, exc.value.status_code) == (code, status)
    assert exc.value.message  # a Korean sentence for the user
    assert balances(purchase) == before
    assert ServiceSession.objects.count() == 0
    assert AuditLog.objects.count() == audits
    customer.refresh_from_db()
    assert customer.total_visits == 0


def test_invalid_rating_and_future_date_are_refused(today):
    purchase = PackagePurchaseFactory(package=PackageFactory(items={"brain": 2}))
    brain = ServiceFactory(code="brain")
    with pytest.raises(ApiError) as exc:
        session_record(
            actor=ACTOR, customer=purchase.customer, service=brain, service_date=today, satisfaction_rating=6
        )
    assert exc.value.code == "VALIDATION_ERROR"
    with pytest.raises(ApiError) as exc:
        session_record(
            actor=ACTOR, customer=purchase.customer, service=brain, service_date=today + dt.timedelta(days=1)
        )
    assert exc.value.code == "SESSION_DATE_IN_FUTURE"
    assert balances(purchase)["brain"] == (0, 2)
    assert ServiceSession.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_of_the_last_session_give_one_success(today):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    brain = ServiceFactory(code="brain")
    purchase = PackagePurchaseFactory(package=PackageFactory(items={"brain": 3}), used={"brain": 2})
    customer = purchase.customer
    barrier = threading.Barrier(4)
    results: list[str] = []
    lock = threading.Lock()

    def redeem() -> None:
        try:
            barrier.wait()
            session_record(actor=ACTOR, customer=customer, service=brain, service_date=today, purchase=purchase)
            outcome = "ok"
        except ApiError as exc:
            outcome = exc.code
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=redeem) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["NO_SESSIONS_LEFT"] * 3 + ["ok"]
    assert balances(purchase)["brain"] == (3, 3)
    assert ServiceSession.objects.filter(purchase=purchase).count() == 1
