"""A tiny hand-built purchase log for the product recommender (all orders on 2026-10-01 KST,
quantity 1, one order per buyer):

    u1: A B      u2: A B C    u3: A C     u4: B C
    u5: D E      u6: A C      u7: D F     u8: D      u9 (target): A
    30 filler buyers: G

Buyers: A 5, B 3, C 4, D 3, E 1 (inactive), F 1 (USD), G 30. Item cosine: sim(A, C) = 3/√20 >
sim(A, B) = 2/√15 > sim(A, D) = 0. A and C share 3 of 39 orders (expected 0.51: significant);
A and B share 2 (below the minimum support of 3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from commerce.testing.factories import CategoryFactory, OrderFactory, ProductFactory
from customers.testing.factories import CustomerFactory

KST = ZoneInfo("Asia/Seoul")
AS_OF = dt.date(2026, 10, 15)
BOUGHT_AT = dt.datetime(2026, 10, 1, 12, tzinfo=KST)


def build_world() -> dict:
    kimchi = CategoryFactory(name="김치/반찬")
    jang = CategoryFactory(name="장류")
    ramyeon = CategoryFactory(name="라면/면류")
    drinks = CategoryFactory(name="음료")
    p = {
        "A": ProductFactory(name="국산 배추김치 1kg", category=kimchi, price=Decimal("15900")),
        "B": ProductFactory(name="깍두기 500g", category=kimchi, price=Decimal("8900")),
        "C": ProductFactory(name="태양초 고추장 500g", category=jang, price=Decimal("9900")),
        "D": ProductFactory(name="얼큰 라면 5입", category=ramyeon, price=Decimal("4900")),
        "E": ProductFactory(name="짜장 라면 4입", category=ramyeon, price=Decimal("5400"), is_active=False),
        "F": ProductFactory(name="매운 라면 4입", category=ramyeon, price=Decimal("4.50"), currency="USD"),
        "G": ProductFactory(name="보리차 티백 50입", category=drinks, price=Decimal("3900")),
    }
    for prod in p.values():  # listed well before the log starts
        type(prod).objects.filter(pk=prod.pk).update(created_at=BOUGHT_AT - dt.timedelta(days=60))
    baskets = {
        "u1": "AB",
        "u2": "ABC",
        "u3": "AC",
        "u4": "BC",
        "u5": "DE",
        "u6": "AC",
        "u7": "DF",
        "u8": "D",
        "u9": "A",
    }
    users = {}
    for name, basket in baskets.items():
        users[name] = CustomerFactory()
        OrderFactory(buyer=users[name], created_at=BOUGHT_AT, items=[(p[x], 1, None) for x in basket])
    for _ in range(30):
        OrderFactory(buyer=CustomerFactory(), created_at=BOUGHT_AT, items=[(p["G"], 1, None)])
    users["new"] = CustomerFactory()
    return {"p": p, "u": users}
