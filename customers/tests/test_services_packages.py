"""package_purchase_create / _extend / _cancel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.principal import system_principal
from core.cache import scope_version
from core.errors import ApiError
from customers.models import PackageBalance, PackagePurchase, PurchaseStatus
from customers.services.packages import package_purchase_cancel, package_purchase_create, package_purchase_extend
from customers.testing.factories import CustomerFactory, PackageFactory, PackagePurchaseFactory

ACTOR = system_principal("test")
pytestmark = pytest.mark.django_db


def test_create_makes_balances_expiry_revenue_and_audit():
    customer = CustomerFactory()
    package = PackageFactory(price=Decimal("600000"), validity_days=90, items={"brain": 10, "pulse": 5})
    day = dt.date(2026, 3, 1)
    version = scope_version(f"customer:{customer.pk}")

    purchase = package_purchase_create(
        actor=ACTOR, customer=customer, package=package, purchase_date=day, price_paid=540000
    )

    assert purchase.expiry_date == dt.date(2026, 5, 30)
    assert purchase.price_paid == Decimal("540000")
    got = {b.service.code: (b.total, b.used) for b in purchase.balances.select_related("service")}
    assert got == {"brain": (10, 0), "pulse": (5, 0)}
    customer.refresh_from_db()
    assert customer.total_revenue == Decimal("540000")
    assert scope_version(f"customer:{customer.pk}") > version
    row = AuditLog.objects.get(query__entity="package_purchase", action="create")
    assert row.customer_ids == [customer.pk] and row.query["purchase_id"] == purchase.pk


def test_create_refuses_inactive_package_and_negative_price():
    customer = CustomerFactory()
    with pytest.raises(ApiError) as exc:
        package_purchase_create(
            actor=ACTOR, customer=customer, package=PackageFactory(is_active=False), purchase_date=dt.date(2026, 1, 1)
        )
    assert (exc.value.code, exc.value.status_code) == ("PACKAGE_NOT_FOR_SALE", 409)
    with pytest.raises(ApiError) as exc:
        package_purchase_create(
            actor=ACTOR, customer=customer, package=PackageFactory(), purchase_date=dt.date(2026, 1, 1), price_paid=-1
        )
    assert exc.value.code == "VALIDATION_ERROR"
    assert PackagePurchase.objects.count() == 0 and PackageBalance.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_extend_moves_expiry_and_keeps_reason_in_audit():
    purchase = PackagePurchaseFactory(purchase_date=dt.date(2026, 1, 1))
    old = purchase.expiry_date

    extended = package_purchase_extend(actor=ACTOR, purchase=purchase, days=14, reason="입원으로 인한 연장")

    assert extended.expiry_date == old + dt.timedelta(days=14)
    purchase.refresh_from_db()
    assert purchase.expiry_date == old + dt.timedelta(days=14)
    row = AuditLog.objects.get(action="update", query__entity="package_purchase")
    assert row.query["reason"] == "입원으로 인한 연장"
    assert row.query["expiry_date"] == {"old": old.isoformat(), "new": purchase.expiry_date.isoformat()}


@pytest.mark.parametrize(
    ("days", "reason", "status", "code"),
    [
        (0, "사유", PurchaseStatus.ACTIVE, "VALIDATION_ERROR"),
        (4000, "사유", PurchaseStatus.ACTIVE, "VALIDATION_ERROR"),
        (10, "  ", PurchaseStatus.ACTIVE, "VALIDATION_ERROR"),
        (10, "사유", PurchaseStatus.REFUNDED, "PACKAGE_NOT_ACTIVE"),
    ],
)
def test_extend_refusals_change_nothing(days, reason, status, code):
    purchase = PackagePurchaseFactory(status=status)
    old = purchase.expiry_date
    with pytest.raises(ApiError) as exc:
        package_purchase_extend(actor=ACTOR, purchase=purchase, days=days, reason=reason)
    assert exc.value.code == code
    purchase.refresh_from_db()
    assert purchase.expiry_date == old
    assert AuditLog.objects.count() == 0


def test_refund_removes_revenue_and_blocks_second_refund():
    customer = CustomerFactory()
    purchase = package_purchase_create(
        actor=ACTOR,
        customer=customer,
        package=PackageFactory(price=Decimal("300000")),
        purchase_date=timezone.localdate(),
    )
    customer.refresh_from_db()
    assert customer.total_revenue == Decimal("300000")

    package_purchase_cancel(actor=ACTOR, purchase=purchase, reason="고객 요청 환불")

    customer.refresh_from_db()
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.REFUNDED
    assert customer.total_revenue == Decimal("0")
    with pytest.raises(ApiError) as exc:
        package_purchase_cancel(actor=ACTOR, purchase=purchase, reason="again")
    assert (exc.value.code, exc.value.status_code) == ("PACKAGE_NOT_ACTIVE", 409)
