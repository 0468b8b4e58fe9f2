"""The back office's overview (reports/overview.py): each selector on a small hand-built center and
shop around Thursday 2026-10-15 (KST), worked out by hand, and the cached overview with its charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from commerce.models import OrderStatus
from commerce.testing.factories import OrderFactory, ProductFactory
from customers.models import CustomerStatus, PurchaseStatus
from customers.testing.factories import CustomerFactory, PackageFactory, PackagePurchaseFactory, ServiceSessionFactory
from reports.overview import (
    expiring_packages,
    key_figures,
    overview_get,
    revenue_per_month,
    sessions_per_week,
    top_products,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 15)  # a Thursday: the week began on Monday 10-12
KST = ZoneInfo("Asia/Seoul")


def kst(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 12, tzinfo=KST)


@pytest.fixture
def business(service_catalog) -> dict:
    brain, pulse = service_catalog["brain"], service_catalog["pulse"]
    member = CustomerFactory(name="김회원")
    came_from_shop = CustomerFactory(external_id="shop-2")  # then attended a session: a center customer
    CustomerFactory(customer_status=CustomerStatus.DORMANT)  # not active
    buyer = CustomerFactory(external_id="shop-1")  # shop-only buyer
    for customer, service, day in [
        (member, brain, dt.date(2026, 9, 10)),  # 35 days ago: week 6 of 12, not in the last 30 days
        (member, brain, dt.date(2026, 10, 5)),  # last week
        (member, brain, dt.date(2026, 10, 12)),  # this week
        (came_from_shop, brain, dt.date(2026, 10, 14)),
        (member, pulse, TODAY),
        (member, pulse, dt.date(2026, 10, 16)),  # tomorrow (booked): counted nowhere
    ]:
        ServiceSessionFactory(customer=customer, service=service, service_date=day)

    package = PackageFactory(name="브레인 10회", price=Decimal("450000"), items={"brain": 10})
    sale = {"customer": member, "package": package}
    expiring = PackagePurchaseFactory(
        **sale,
        purchase_date=dt.date(2026, 10, 3),
        expiry_date=dt.date(2026, 10, 20),
        price_paid=450000,
        used={"brain": 3},
    )
    PackagePurchaseFactory(  # refunded: neither revenue nor a call to make
        **sale,
        purchase_date=dt.date(2026, 10, 10),
        expiry_date=dt.date(2026, 10, 22),
        price_paid=300000,
        status=PurchaseStatus.REFUNDED,
    )
    PackagePurchaseFactory(  # used up: nothing left to call about
        **sale,
        purchase_date=dt.date(2026, 9, 20),
        expiry_date=dt.date(2026, 10, 25),
        price_paid=200000,
        used={"brain": 10},
    )
    PackagePurchaseFactory(  # expires after the 14 days
        **sale, purchase_date=dt.date(2026, 8, 1), expiry_date=dt.date(2026, 10, 30), price_paid=100000
    )
    PackagePurchaseFactory(  # before the twelve months
        **sale, purchase_date=dt.date(2025, 10, 31), expiry_date=dt.date(2026, 4, 30), price_paid=990000
    )

    a = ProductFactory(name="배추김치 1kg", price=Decimal("10000"))
    b = ProductFactory(name="고추장 500g", price=Decimal("5000"))
    c = ProductFactory(name="보리차 50입", price=Decimal("3000"))
    D, X, P, S, C = (
        OrderStatus.DELIVERED,
        OrderStatus.CANCELLED,
        OrderStatus.PENDING,
        OrderStatus.SHIPPED,
        OrderStatus.CONFIRMED,
    )
    OrderFactory(buyer=buyer, status=D, created_at=kst(2026, 10, 2), items=[(a, 2, None)])  # 20,000
    OrderFactory(buyer=member, status=X, created_at=kst(2026, 10, 5), items=[(a, 5, None)])  # cancelled
    OrderFactory(buyer=buyer, status=P, currency="USD", created_at=kst(2026, 10, 10), items=[(b, 1, Decimal("8.50"))])
    OrderFactory(buyer=buyer, status=S, created_at=kst(2026, 9, 15), items=[(b, 3, None)])  # 15,000
    OrderFactory(buyer=buyer, status=C, created_at=kst(2026, 10, 11), items=[(c, 1, None)])  # 3,000
    return {"member": member, "expiring": expiring, "products": (a, b, c)}


def test_key_figures(business):
    assert key_figures(today=TODAY) == {
        "active_customers": 2,  # the member and the shop customer who came in; not the dormant, not the buyer
        "shop_only_buyers": 1,
        "sessions_this_week": 3,  # 10-12, 10-14, today
        "sessions_last_30_days": 4,  # and 10-05
        "center_revenue_this_month": Decimal("450000"),  # the refunded purchase is not revenue
        "shop_revenue_this_month": [
            {"currency": "KRW", "total": Decimal("23000"), "orders": 2},  # delivered + confirmed, not cancelled
            {"currency": "USD", "total": Decimal("8.50"), "orders": 1},
        ],
        "open_orders": 2,  # pending and confirmed
    }


def test_sessions_per_week(business):
    data = sessions_per_week(today=TODAY)
    assert data["weeks"][0] == dt.date(2026, 7, 27) and data["weeks"][-1] == dt.date(2026, 10, 12)
    assert len(data["weeks"]) == 12
    assert data["series"] == {
        "brain": {"name": "브레인 피드백", "counts": [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2]},
        "pulse": {"name": "펄스", "counts": [0] * 11 + [1]},
    }


def test_revenue_per_month(business):
    data = revenue_per_month(today=TODAY)
    assert data["months"][0] == dt.date(2025, 11, 1) and data["months"][-1] == dt.date(2026, 10, 1)
    zeros = [Decimal(0)] * 9
    assert data["center_krw"] == [*zeros, Decimal("100000"), Decimal("200000"), Decimal("450000")]
    assert data["shop"] == {
        "KRW": [*zeros, Decimal(0), Decimal("15000"), Decimal("23000")],
        "USD": [*zeros, Decimal(0), Decimal(0), Decimal("8.50")],
    }


def test_expiring_packages_with_sessions_left(business):
    member, purchase = business["member"], business["expiring"]
    assert expiring_packages(today=TODAY) == {
        "count": 1,
        "rows": [
            {
                "id": purchase.pk,
                "customer_id": member.pk,
                "customer__name": "김회원",
                "customer__phone": member.phone,
                "package__name": "브레인 10회",
                "expiry_date": dt.date(2026, 10, 20),
                "remaining": 7,
            }
        ],
    }


def test_top_products_by_quantity_with_revenue_per_currency(business):
    a, b, c = business["products"]
    rows = top_products(today=TODAY)
    assert [(r["product__name"], r["quantity"], r["orders"], r["revenue"]) for r in rows] == [
        ("고추장 500g", 4, 2, [("KRW", Decimal("15000")), ("USD", Decimal("8.50"))]),
        ("배추김치 1kg", 2, 1, [("KRW", Decimal("20000"))]),  # the cancelled five are not sales
        ("보리차 50입", 1, 1, [("KRW", Decimal("3000"))]),
    ]
    assert [r["product_id"] for r in rows] == [b.pk, a.pk, c.pk]


def test_overview_is_built_once_then_served_from_the_stored_copy(business, django_assert_max_num_queries):
    first, state = overview_get(today=TODAY)
    assert state["stored"] is False
    assert first["figures"] == key_figures(today=TODAY)
    assert first["expiring"]["count"] == 1
    assert first["shop_currency"] == "KRW"
    charts = first["charts"]
    assert charts["sessions"].startswith("<svg") and 'style="width:100%;height:auto"' in charts["sessions"]
    assert [c["currency"] for c in charts["revenue"]] == ["KRW", "USD"]
    assert "주별 서비스 이용" in charts["sessions"] and "배추김치 1kg" in charts["top_products"]
    with django_assert_max_num_queries(0):
        again, state = overview_get(today=TODAY)
    assert state["stored"] is True
    assert again["figures"] == first["figures"]
