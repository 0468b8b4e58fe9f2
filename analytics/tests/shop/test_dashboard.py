from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditLog
from analytics.shop.selectors.dashboard import dashboard_stats
from analytics.shop.selectors.periods import DayRange
from commerce.models import Order, OrderItem, OrderStatus, Product, Review
from commerce.testing.factories import OrderFactory, ReviewFactory
from core.cache import invalidate

from .conftest import kst

URL = "/api/v1/analytics/dashboard"
WEEK = {"period": "week", "start_date": "2026-11-01", "end_date": "2026-11-07"}
SOURCES = ["direct", pytest.param("rollup", marks=pytest.mark.skipif("connection.vendor != 'postgresql'"))]


def expected_week(shop: dict) -> dict:
    kimchi, jang = shop["categories"]
    zero = {"revenue": 0.0, "orders": 0, "users": 0}
    return {
        "period": "week",
        "date_range": {"start": "2026-11-01", "end": "2026-11-07"},
        "revenue": {
            "total": 25000.0,
            "currency": "KRW",
            "growth_rate": 25.0,
            "previous_total": 20000.0,
            "daily_average": 3571.43,
            "trend": "increasing",
            "by_currency": [
                {
                    "currency": "KRW",
                    "total": 25000.0,
                    "completed_orders": 2,
                    "previous_total": 20000.0,
                    "growth_rate": 25.0,
                },
                {"currency": "USD", "total": 8.5, "completed_orders": 1, "previous_total": 0.0, "growth_rate": None},
            ],
        },
        "orders": {
            "total": 5,
            "completed": 3,
            "cancelled": 1,
            "pending": 1,
            "conversion_rate": 60.0,
            "average_order_value": 12500.0,
        },
        "users": {"total_active": 3, "new_users": 2, "returning_users": 1, "retention_rate": 50.0},
        "products": {
            "total_sold": 4,
            "unique_products": 2,
            "average_rating": 4.5,
            "scored_reviews": 0,
            "positive_review_share": None,
        },
        "daily_trend": [
            {"date": "2026-11-01", "revenue": 20000.0, "orders": 1, "users": 1},
            {"date": "2026-11-02", **zero},
            # the 23:30 KST order (14:30 UTC) belongs to the 3rd; the cancelled one is not counted
            {"date": "2026-11-03", "revenue": 5000.0, "orders": 1, "users": 1},
            {"date": "2026-11-04", **zero},
            # a USD order: counted as an order and a buyer, not added to the KRW revenue
            {"date": "2026-11-05", "revenue": 0.0, "orders": 1, "users": 1},
            {"date": "2026-11-06", **zero},
            {"date": "2026-11-07", **zero},
        ],
        "top_categories": [
            {"category_id": kimchi.pk, "category_name": "김치/반찬", "sales_count": 2, "revenue": 20000.0},
            {"category_id": jang.pk, "category_name": "장류", "sales_count": 1, "revenue": 5000.0},
        ],
    }


@pytest.mark.parametrize("source", SOURCES)
def test_dashboard_exact_figures(shop, source):
    data = dashboard_stats(period="week", date_range=DayRange(date(2026, 11, 1), date(2026, 11, 7)), source=source)
    assert data == expected_week(shop)


def shop_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "commerce_" in q["sql"] or "analytics_" in q["sql"]]


def test_dashboard_endpoint_exact_and_cached(shop, api_client_for):
    client = api_client_for("MANAGER")
    with CaptureQueriesContext(connection) as cold:
        first = client.get(URL, WEEK)
    assert first.status_code == 200
    assert first.json()["data"] == expected_week(shop)
    assert shop_queries(cold)
    # the second call is a cache hit: not one query on the shop tables
    with CaptureQueriesContext(connection) as warm:
        second = client.get(URL, WEEK)
    assert second.json()["data"] == first.json()["data"]
    assert shop_queries(warm) == []
    # a write that invalidates "shop" makes the next call recompute
    OrderFactory(
        buyer=shop["customers"][0],
        status=OrderStatus.DELIVERED,
        created_at=kst(2026, 11, 2),
        items=[(shop["products"][0], 1, None)],
    )
    invalidate("shop")
    third = client.get(URL, WEEK).json()["data"]
    assert third["revenue"]["total"] == 35000.0


def test_default_range_is_the_period_ending_today(shop, api_client_for, time_machine):
    time_machine.move_to(kst(2026, 11, 7, 15))
    data = api_client_for("MANAGER").get(URL, {"period": "week"}).json()["data"]
    assert data["date_range"] == {"start": "2026-11-01", "end": "2026-11-07"}
    assert data["revenue"]["total"] == 25000.0
    month = api_client_for("MANAGER").get(URL).json()["data"]
    assert month["period"] == "month"
    assert month["date_range"] == {"start": "2026-10-09", "end": "2026-11-07"}
    assert len(month["daily_trend"]) == 30


def test_empty_range_is_all_zeros(db, api_client_for):
    data = api_client_for("MANAGER").get(URL, {"start_date": "2025-01-01", "end_date": "2025-01-03"}).json()["data"]
    assert data["revenue"]["total"] == 0.0
    assert data["revenue"]["growth_rate"] is None
    assert data["revenue"]["trend"] == "stable"
    assert data["orders"]["conversion_rate"] == 0.0
    assert data["users"] == {"total_active": 0, "new_users": 0, "returning_users": 0, "retention_rate": None}
    assert data["products"] == {
        "total_sold": 0,
        "unique_products": 0,
        "average_rating": None,
        "scored_reviews": 0,
        "positive_review_share": None,
    }
    assert [d["date"] for d in data["daily_trend"]] == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert data["top_categories"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "2026-11-07", "end_date": "2026-11-01"}, "start_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "end_date"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"start_date": "20261101"}, "start_date"),
        ({"period": "decade"}, "period"),
    ],
)
def test_validation_errors(db, api_client_for, params, field):
    response = api_client_for("MANAGER").get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert field in body["error"]["details"]["fields"]


def test_max_span_is_366_days(db, api_client_for):
    ok = api_client_for("MANAGER").get(URL, {"start_date": "2024-01-01", "end_date": "2024-12-31"})
    assert ok.status_code == 200
    assert len(ok.json()["data"]["daily_trend"]) == 366


@pytest.mark.parametrize(("role", "status"), [("STAFF", 403), ("MANAGER", 200), ("ADMIN", 200)])
def test_roles(shop, api_client_for, role, status):
    response = api_client_for(role).get(URL, WEEK)
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    assert AuditLog.objects.count() == 0  # shop-wide figures hold no customer data


def test_anonymous_is_401(db, api_client):
    response = api_client.get(URL, WEEK)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "MISSING_TOKEN"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_rollups_follow_every_change(shop):
    """Status changes, edits, moves across days, deletions: the rollups stay equal to a
    direct computation over the orders."""
    o = shop["orders"]
    p1, p2 = shop["products"]
    _c1, _c2, c3, c4 = shop["customers"]
    Order.objects.filter(pk=o["o4"].pk).update(status=OrderStatus.DELIVERED)  # shipped → delivered
    Order.objects.filter(pk=o["o2"].pk).update(status=OrderStatus.CANCELLED)  # c2 no longer active
    Order.objects.filter(pk=o["o7"].pk).update(created_at=kst(2026, 11, 6, 8))  # c1's first order moves
    item = OrderItem.objects.filter(order=o["o1"]).first()
    OrderItem.objects.filter(pk=item.pk).update(quantity=3, subtotal=Decimal("30000"))
    Order.objects.filter(pk=o["o1"].pk).update(total=Decimal("30000"))
    OrderItem.objects.filter(order=o["o8"]).delete()
    Order.objects.filter(pk=o["o8"].pk).delete()
    OrderFactory(
        buyer=c4, status=OrderStatus.PREPARING, created_at=kst(2026, 11, 2, 1), items=[(p2, 1, None), (p1, 1, None)]
    )
    Review.objects.filter(rating=4).update(rating=2)
    Product.objects.filter(pk=p2.pk).update(category=shop["categories"][0])  # 장류 → 김치/반찬 moves its sales
    ReviewFactory(customer=c3, product=p2, rating=3, created_at=kst(2026, 11, 6))

    for r in (DayRange(date(2026, 11, 1), date(2026, 11, 7)), DayRange(date(2026, 10, 1), date(2026, 11, 30))):
        assert dashboard_stats(period="week", date_range=r, source="rollup") == dashboard_stats(
            period="week", date_range=r, source="direct"
        )
    week = dashboard_stats(period="week", date_range=DayRange(date(2026, 11, 1), date(2026, 11, 7)), source="rollup")
    assert week["revenue"]["total"] == 30000 + 15000 + 10000  # o1 edited, o4 delivered, o7 moved in
    assert week["users"]["new_users"] == 3  # c1 (first order moved in), c3, c4 (its earlier order deleted)
    assert [c["category_name"] for c in week["top_categories"]] == ["김치/반찬"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_rollup_rebuild_matches_triggers(shop):
    from analytics.models import (
        ShopBuyerDay,
        ShopBuyerFirstOrder,
        ShopDailyBuyers,
        ShopDailyCategorySales,
        ShopDailyProductSales,
        ShopDailySales,
    )

    def bitmaps() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT day, chunk, bits::text FROM analytics_shopbuyerbitmap WHERE bit_count(bits) > 0"
                " UNION ALL SELECT month, -1 - chunk, bits::text FROM analytics_shopbuyermonthbitmap"
                " WHERE bit_count(bits) > 0 ORDER BY 1, 2"
            )
            return cursor.fetchall()

    def snapshot() -> list:
        return [
            sorted(
                ShopDailySales.objects.filter(orders_count__gt=0).values_list(
                    "day", "currency", "status", "orders_count", "revenue"
                )
            ),
            sorted(
                ShopDailyProductSales.objects.values_list(
                    "day", "product_id", "currency", "status", "quantity", "lines", "revenue"
                )
            ),
            sorted(ShopBuyerDay.objects.values_list("day", "buyer_id", "orders_count", "delivered_count")),
            sorted(ShopBuyerFirstOrder.objects.values_list("buyer_id", "first_day")),
            sorted(
                ShopDailyCategorySales.objects.values_list(
                    "day", "category_id", "currency", "status", "quantity", "lines", "revenue"
                )
            ),
            sorted(ShopDailyBuyers.objects.filter(delivered_buyers__gt=0).values_list("day", "delivered_buyers")),
            bitmaps(),
        ]

    # c1's only October order moves to November: its October monthly bit must be cleared
    Order.objects.filter(pk=shop["orders"]["o7"].pk).update(created_at=kst(2026, 11, 6, 8))
    by_triggers = snapshot()
    with connection.cursor() as cursor:
        cursor.execute("SELECT analytics_shop_rollup_rebuild()")
    assert snapshot() == by_triggers
    assert by_triggers[3] == sorted(
        (c.pk, d)
        for c, d in zip(
            shop["customers"],
            [date(2026, 11, 1), date(2026, 11, 3), date(2026, 11, 5), date(2026, 10, 26)],
            strict=True,
        )
    )


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_rebuild_command_and_time_zone_guard(shop, settings):
    from io import StringIO

    from django.core.management import call_command

    r = DayRange(date(2026, 11, 1), date(2026, 11, 7))
    before = dashboard_stats(period="week", date_range=r, source="rollup")
    out = StringIO()
    call_command("rebuild_shop_rollups", stdout=out)
    assert "재구성 완료 (Asia/Seoul" in out.getvalue()
    assert dashboard_stats(period="week", date_range=r, source="rollup") == before
    # rollups built for another zone are not used: the dashboard falls back to the orders
    from analytics.shop.selectors.dashboard import dashboard_source

    assert dashboard_source().name == "rollup"
    settings.TIME_ZONE = "UTC"
    assert dashboard_source().name == "direct"


def test_positive_review_share_counts_scored_reviews_written_in_the_period(shop, api_client_for):
    _, _, c3, _ = shop["customers"]
    p1, p2 = shop["products"]
    # the shop's reviews: 11-02 and 11-04 (in the period), 10-31 (before)
    in_period = list(Review.objects.filter(created_at__gte=kst(2026, 11, 1)).order_by("created_at"))
    Review.objects.filter(pk=in_period[0].pk).update(sentiment="positive")
    Review.objects.filter(pk=in_period[1].pk).update(sentiment="negative")
    Review.objects.filter(created_at__lt=kst(2026, 11, 1)).update(sentiment="positive")
    ReviewFactory(customer=c3, product=p1, rating=5, created_at=kst(2026, 11, 6), sentiment="positive")
    ReviewFactory(customer=c3, product=p2, rating=3, created_at=kst(2026, 11, 6))  # not scored yet
    data = api_client_for("MANAGER").get(URL, {"start_date": "2026-11-01", "end_date": "2026-11-07"}).json()["data"]
    assert data["products"]["scored_reviews"] == 3
    assert data["products"]["positive_review_share"] == 66.67
