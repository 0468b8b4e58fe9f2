"""A hand-built month (October 2026, KST) for the reports: shop orders in two currencies with
every status, the previous month and the same month a year earlier, reviews, and center
packages, sessions and balances whose prepaid liability at 2026-10-31 is worked out by hand.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from commerce.models import OrderStatus
from commerce.testing.factories import CategoryFactory, OrderFactory, ProductFactory, ReviewFactory
from customers.models import PackageBalance, PurchaseStatus
from customers.testing.factories import (
    CustomerFactory,
    PackageFactory,
    PackagePurchaseFactory,
    ServiceFactory,
    ServiceSessionFactory,
)

KST = ZoneInfo("Asia/Seoul")


def kst(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=KST)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Each test stores its report files in its own folder (and leaves none behind)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def month(db) -> dict:
    kimchi = CategoryFactory(name="김치/반찬")
    jang = CategoryFactory(name="장류")
    p1 = ProductFactory(name="국산 배추김치", category=kimchi, price=Decimal("10000"))
    p2 = ProductFactory(name="전통 고추장", category=jang, price=Decimal("5000"))
    c1 = CustomerFactory(name="김영희")
    c2 = CustomerFactory(name="이철수")
    c3 = CustomerFactory(name="남궁민수")
    c4 = CustomerFactory(name="최지우")
    D, C, S = OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.SHIPPED
    # October 2026
    OrderFactory(buyer=c1, status=D, created_at=kst(2026, 10, 1, 0, 10), items=[(p1, 2, None)])  # 20,000
    OrderFactory(buyer=c2, status=D, created_at=kst(2026, 10, 3, 23, 30), items=[(p2, 1, None)])  # 5,000
    OrderFactory(buyer=c2, status=C, created_at=kst(2026, 10, 3, 12), items=[(p1, 1, None)])
    OrderFactory(buyer=c3, status=S, created_at=kst(2026, 10, 5, 9), items=[(p2, 3, None)])
    OrderFactory(buyer=c3, status=D, currency="USD", created_at=kst(2026, 10, 5, 11), items=[(p1, 1, Decimal("8.50"))])
    # after the month (Nov 1st, 00:30 KST = Oct 31st UTC)
    OrderFactory(buyer=c4, status=D, created_at=kst(2026, 11, 1, 0, 30), items=[(p1, 1, None)])
    # September 2026
    OrderFactory(buyer=c1, status=D, created_at=kst(2026, 9, 30, 23, 50), items=[(p1, 1, None)])  # 10,000
    OrderFactory(buyer=c4, status=D, created_at=kst(2026, 9, 26, 9), items=[(p2, 2, None)])  # 10,000
    # October 2025: the shop's first order
    OrderFactory(buyer=c4, status=D, created_at=kst(2025, 10, 15), items=[(p1, 1, None)])  # 10,000
    ReviewFactory(customer=c1, product=p1, rating=5, created_at=kst(2026, 10, 2))
    ReviewFactory(customer=c2, product=p2, rating=4, created_at=kst(2026, 10, 4, 23, 59))
    ReviewFactory(customer=c2, product=p2, rating=1, created_at=kst(2026, 9, 30, 23, 59))

    brain, red = ServiceFactory(code="brain"), ServiceFactory(code="red")  # 50,000 / 30,000 won
    package = PackageFactory(name="웰니스 패키지 A", price=Decimal("450000"), items={"brain": 10, "red": 5})
    a = PackagePurchaseFactory(
        customer=c1, package=package, purchase_date=date(2026, 9, 1), expiry_date=date(2027, 2, 28), price_paid=450000
    )
    b = PackagePurchaseFactory(
        customer=c2,
        package=package,
        purchase_date=date(2026, 10, 10),
        expiry_date=date(2026, 11, 20),
        price_paid=300000,
    )
    PackagePurchaseFactory(
        customer=c3, package=package, purchase_date=date(2026, 10, 12), status=PurchaseStatus.REFUNDED
    )
    PackagePurchaseFactory(customer=c4, package=package, purchase_date=date(2026, 3, 1), expiry_date=date(2026, 10, 15))
    # purchase a: brain used 3 (one of them after the month), red used 1
    ServiceSessionFactory(customer=c1, service=brain, purchase=a, service_date=date(2026, 9, 10), satisfaction_rating=4)
    ServiceSessionFactory(customer=c1, service=brain, purchase=a, service_date=date(2026, 10, 5), satisfaction_rating=5)
    ServiceSessionFactory(customer=c1, service=brain, purchase=a, service_date=date(2026, 11, 2), satisfaction_rating=5)
    ServiceSessionFactory(customer=c1, service=red, purchase=a, service_date=date(2026, 10, 6), satisfaction_rating=4)
    ServiceSessionFactory(customer=c2, service=brain, service_date=date(2026, 10, 20), satisfaction_rating=3)
    ServiceSessionFactory(customer=c3, service=red, service_date=date(2026, 10, 21), satisfaction_rating=None)
    PackageBalance.objects.filter(purchase=a, service=brain).update(used=3)
    PackageBalance.objects.filter(purchase=a, service=red).update(used=1)
    return {
        "products": (p1, p2),
        "customers": (c1, c2, c3, c4),
        "purchases": (a, b),
        "services": (brain, red),
        "package": package,
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A ``transaction=True`` test ends with a flush that also empties the rollup state row the
    analytics migration wrote, so later tests in this process would see the rollups as not
    ready (and ``rollups_ready`` remembers that for a minute). Put the row back after the flush:
    the triggers survive it and the rollup tables are as empty as the orders."""
    yield
    marker = item.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction"):
        return
    from django.conf import settings
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from analytics.models import ShopRollupState
    from analytics.shop.selectors import dashboard

    with item.config.stash[blocking_manager_key].unblock():
        if (
            connection.vendor == "postgresql"
            and not ShopRollupState.objects.filter(time_zone=settings.TIME_ZONE).exists()
        ):
            ShopRollupState.objects.create(time_zone=settings.TIME_ZONE)
    dashboard._ready_cache.clear()


@pytest.fixture(autouse=True)
def _forget_rollups_ready():
    """``rollups_ready`` remembers its answer per process for a minute; a report test must not
    leave an answer behind that was true only for its own database state."""
    yield
    from analytics.shop.selectors import dashboard

    dashboard._ready_cache.clear()
