"""A small hand-built shop: two categories, two currencies, cancelled and open orders, empty
days, an order at 23:30 KST and orders on both sides of the period boundaries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from commerce.models import OrderStatus
from commerce.testing.factories import CategoryFactory, OrderFactory, ProductFactory, ReviewFactory
from customers.testing.factories import CustomerFactory

KST = ZoneInfo("Asia/Seoul")


def kst(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=KST)


@pytest.fixture
def shop(db) -> dict:
    kimchi = CategoryFactory(name="김치/반찬")
    jang = CategoryFactory(name="장류")
    p1 = ProductFactory(category=kimchi, price=Decimal("10000"))
    p2 = ProductFactory(category=jang, price=Decimal("5000"))
    c1, c2, c3, c4 = (CustomerFactory() for _ in range(4))
    D, C, S = OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.SHIPPED
    orders = {
        # the period 2026-11-01 .. 2026-11-07 (KST)
        "o1": OrderFactory(buyer=c1, status=D, created_at=kst(2026, 11, 1, 0, 10), items=[(p1, 2, None)]),
        "o2": OrderFactory(buyer=c2, status=D, created_at=kst(2026, 11, 3, 23, 30), items=[(p2, 1, None)]),
        "o3": OrderFactory(buyer=c2, status=C, created_at=kst(2026, 11, 3, 12), items=[(p1, 1, None)]),
        "o4": OrderFactory(buyer=c3, status=S, created_at=kst(2026, 11, 5, 9), items=[(p2, 3, None)]),
        "o5": OrderFactory(
            buyer=c3, status=D, currency="USD", created_at=kst(2026, 11, 5, 11), items=[(p1, 1, Decimal("8.50"))]
        ),
        # after the period
        "o6": OrderFactory(buyer=c4, status=D, created_at=kst(2026, 11, 8, 0, 30), items=[(p1, 1, None)]),
        # the previous period 2026-10-25 .. 2026-10-31
        "o7": OrderFactory(buyer=c1, status=D, created_at=kst(2026, 10, 31, 23, 50), items=[(p1, 1, None)]),
        "o8": OrderFactory(buyer=c4, status=D, created_at=kst(2026, 10, 26, 9), items=[(p2, 2, None)]),
    }
    ReviewFactory(customer=c1, product=p1, rating=5, created_at=kst(2026, 11, 2))
    ReviewFactory(customer=c2, product=p2, rating=4, created_at=kst(2026, 11, 4, 23, 59))
    ReviewFactory(customer=c2, product=p2, rating=1, created_at=kst(2026, 10, 31, 23, 59))
    return {"categories": (kimchi, jang), "products": (p1, p2), "customers": (c1, c2, c3, c4), "orders": orders}
