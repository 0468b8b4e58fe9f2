"""Shop money in the shop's own currency (issue 8): a GBP-only shop and a mixed KRW+USD shop,
exact figures for every money field, ``?currency=`` validation, per-currency caches, the forecast
and its backtest on a GBP shop, and the "done means" run through ``import_transactions``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection  # noqa: F401 - used by the skipif conditions

from analytics.shop.selectors.dashboard import dashboard_stats
from analytics.shop.selectors.periods import DayRange
from commerce.models import Order, OrderStatus
from commerce.testing.factories import CategoryFactory, OrderFactory, ProductFactory
from customers.testing.factories import CustomerFactory

from .conftest import kst

DASHBOARD = "/api/v1/analytics/dashboard"
FORECAST = "/api/v1/analytics/sales/forecast"
WEEK = {"period": "week", "start_date": "2026-11-01", "end_date": "2026-11-07"}
WEEK_RANGE = DayRange(dt.date(2026, 11, 1), dt.date(2026, 11, 7))
SOURCES = ["direct", pytest.param("rollup", marks=pytest.mark.skipif("connection.vendor != 'postgresql'"))]
D, C, S = OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.SHIPPED


@pytest.fixture
def gbp_shop(db, settings) -> dict:
    """A shop that sells in pounds only (SHOP_CURRENCY=GBP)."""
    settings.SHOP_CURRENCY = "GBP"
    tea = CategoryFactory(name="Tea")
    biscuits = CategoryFactory(name="Biscuits")
    p1 = ProductFactory(category=tea, price=Decimal("12.50"), currency="GBP")
    p2 = ProductFactory(category=biscuits, price=Decimal("3.99"), currency="GBP")
    c1, c2, c3 = (CustomerFactory() for _ in range(3))

    def order(buyer, status, when, items):
        return OrderFactory(buyer=buyer, status=status, currency="GBP", created_at=when, items=items)

    order(c1, D, kst(2026, 11, 1, 10), [(p1, 2, None)])  # £25.00
    order(c2, D, kst(2026, 11, 3, 23, 30), [(p2, 3, None)])  # £11.97
    order(c2, C, kst(2026, 11, 4), [(p1, 1, None)])  # cancelled £12.50
    order(c3, S, kst(2026, 11, 6), [(p2, 1, None)])  # pending £3.99
    order(c1, D, kst(2026, 11, 7, 18), [(p1, 1, None), (p2, 1, None)])  # £16.49
    order(c3, D, kst(2026, 10, 30), [(p1, 2, None)])  # previous week £25.00
    return {"categories": (tea, biscuits), "products": (p1, p2), "customers": (c1, c2, c3)}


def gbp_week(shop: dict) -> dict:
    tea, biscuits = shop["categories"]
    zero = {"revenue": 0.0, "orders": 0, "users": 0}
    return {
        "period": "week",
        "date_range": {"start": "2026-11-01", "end": "2026-11-07"},
        "revenue": {
            "total": 53.46,
            "currency": "GBP",
            "growth_rate": 113.84,  # (53.46 − 25.00) / 25.00
            "previous_total": 25.0,
            "daily_average": 7.64,  # 53.46 / 7
            "trend": "increasing",
            "by_currency": [
                {
                    "currency": "GBP",
                    "total": 53.46,
                    "completed_orders": 3,
                    "previous_total": 25.0,
                    "growth_rate": 113.84,
                }
            ],
        },
        "orders": {
            "total": 5,
            "completed": 3,
            "cancelled": 1,
            "pending": 1,
            "conversion_rate": 60.0,
            "average_order_value": 17.82,  # 53.46 / 3
        },
        "users": {"total_active": 3, "new_users": 2, "returning_users": 1, "retention_rate": 100.0},
        "products": {
            "total_sold": 7,
            "unique_products": 2,
            "average_rating": None,
            "scored_reviews": 0,
            "positive_review_share": None,
        },
        "daily_trend": [
            {"date": "2026-11-01", "revenue": 25.0, "orders": 1, "users": 1},
            {"date": "2026-11-02", **zero},
            {"date": "2026-11-03", "revenue": 11.97, "orders": 1, "users": 1},
            {"date": "2026-11-04", **zero},
            {"date": "2026-11-05", **zero},
            {"date": "2026-11-06", **zero},
            {"date": "2026-11-07", "revenue": 16.49, "orders": 1, "users": 1},
        ],
        "top_categories": [
            {"category_id": tea.pk, "category_name": "Tea", "sales_count": 2, "revenue": 37.5},
            {"category_id": biscuits.pk, "category_name": "Biscuits", "sales_count": 2, "revenue": 15.96},
        ],
    }


@pytest.mark.parametrize("source", SOURCES)
def test_gbp_shop_dashboard_exact(gbp_shop, source):
    assert dashboard_stats(period="week", date_range=WEEK_RANGE, source=source) == gbp_week(gbp_shop)


def test_gbp_shop_endpoint_and_behaviour(gbp_shop, api_client_for):
    client = api_client_for("MANAGER")
    assert client.get(DASHBOARD, WEEK).json()["data"] == gbp_week(gbp_shop)
    c1 = gbp_shop["customers"][0]
    history = client.get(f"/api/v1/analytics/users/{c1.pk}/behavior").json()["data"]["purchase_history"]
    assert history["currency"] == "GBP"
    assert history["total_spent"] == 41.49  # 25.00 + 16.49
    assert history["average_order_value"] == 20.75  # 41.49 / 2, rounded half-even on the float
    assert history["other_currencies"] == []
    # asking for the won on a pound shop: valid, and there is no money in it
    krw = client.get(DASHBOARD, {**WEEK, "currency": "KRW"}).json()["data"]
    assert krw["revenue"]["currency"] == "KRW" and krw["revenue"]["total"] == 0.0
    assert krw["orders"]["total"] == 5  # counts cover every currency
    assert [row["currency"] for row in krw["revenue"]["by_currency"]] == ["GBP"]


@pytest.fixture
def mixed_shop(shop) -> dict:
    """The KRW shop of conftest with its USD order, plus a USD order in the previous week."""
    _kimchi, _jang = shop["categories"]
    _p1, p2 = shop["products"]
    c4 = shop["customers"][3]
    OrderFactory(buyer=c4, status=D, currency="USD", created_at=kst(2026, 10, 28), items=[(p2, 2, Decimal("2.00"))])
    return shop


def test_mixed_shop_in_won_and_in_dollars(mixed_shop, api_client_for):
    kimchi, jang = mixed_shop["categories"]
    client = api_client_for("MANAGER")
    krw = client.get(DASHBOARD, WEEK).json()["data"]  # SHOP_CURRENCY defaults to KRW
    usd = client.get(DASHBOARD, {**WEEK, "currency": "usd"}).json()["data"]  # case-insensitive
    by_currency_krw = [
        {"currency": "KRW", "total": 25000.0, "completed_orders": 2, "previous_total": 20000.0, "growth_rate": 25.0},
        {"currency": "USD", "total": 8.5, "completed_orders": 1, "previous_total": 4.0, "growth_rate": 112.5},
    ]
    assert krw["revenue"] == {
        "total": 25000.0,
        "currency": "KRW",
        "growth_rate": 25.0,
        "previous_total": 20000.0,
        "daily_average": 3571.43,
        "trend": "increasing",
        "by_currency": by_currency_krw,
    }
    assert krw["orders"]["average_order_value"] == 12500.0
    assert usd["revenue"] == {
        "total": 8.5,
        "currency": "USD",
        "growth_rate": 112.5,
        "previous_total": 4.0,
        "daily_average": 1.21,
        "trend": "increasing",
        "by_currency": [by_currency_krw[1], by_currency_krw[0]],  # the asked currency first
    }
    assert usd["orders"] == {**krw["orders"], "average_order_value": 8.5}
    assert usd["users"] == krw["users"] and usd["products"] == krw["products"]
    assert [(d["date"], d["revenue"], d["orders"]) for d in usd["daily_trend"] if d["orders"]] == [
        ("2026-11-01", 0.0, 1),
        ("2026-11-03", 0.0, 1),
        ("2026-11-05", 8.5, 1),
    ]
    assert [(d["date"], d["revenue"]) for d in krw["daily_trend"] if d["revenue"]] == [
        ("2026-11-01", 20000.0),
        ("2026-11-03", 5000.0),
    ]
    assert usd["top_categories"] == [
        {"category_id": kimchi.pk, "category_name": "김치/반찬", "sales_count": 2, "revenue": 8.5},
        {"category_id": jang.pk, "category_name": "장류", "sales_count": 1, "revenue": 0.0},
    ]
    # the same shop reporting in dollars by configuration answers the dollars by default
    from django.test import override_settings

    with override_settings(SHOP_CURRENCY="USD"):
        assert client.get(DASHBOARD, WEEK).json()["data"] == usd


def test_mixed_shop_behaviour_per_currency(mixed_shop, api_client_for):
    c3 = mixed_shop["customers"][2]  # a shipped KRW order of 15,000 and a delivered USD order of 8.50
    client = api_client_for("MANAGER")
    krw = client.get(f"/api/v1/analytics/users/{c3.pk}/behavior").json()["data"]["purchase_history"]
    usd = client.get(f"/api/v1/analytics/users/{c3.pk}/behavior", {"currency": "USD"}).json()["data"]
    assert (krw["currency"], krw["total_spent"], krw["average_order_value"]) == ("KRW", 15000.0, 15000.0)
    assert krw["other_currencies"] == [{"currency": "USD", "orders": 1, "total": 8.5}]
    history = usd["purchase_history"]
    assert (history["currency"], history["total_spent"], history["average_order_value"]) == ("USD", 8.5, 8.5)
    assert history["other_currencies"] == [{"currency": "KRW", "orders": 1, "total": 15000.0}]
    assert history["total_orders"] == krw["total_orders"] == 2


@pytest.mark.parametrize("url", [DASHBOARD, FORECAST, "/api/v1/analytics/users/{id}/behavior"])
@pytest.mark.parametrize("code", ["XYZ", "won", "B"])
def test_unknown_currency_is_a_validation_error_naming_the_choices(mixed_shop, api_client_for, url, code):
    url = url.format(id=mixed_shop["customers"][0].pk)
    response = api_client_for("MANAGER").get(url, {"currency": code})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"] == f"지원하지 않는 통화입니다: {code}. 선택 가능: KRW, USD, EUR, JPY, CNY, GBP"
    assert error["details"]["choices"] == ["KRW", "USD", "EUR", "JPY", "CNY", "GBP"]
    assert "currency" in error["details"]["fields"]


def test_cache_is_per_currency(mixed_shop, api_client_for):
    client = api_client_for("MANAGER")
    assert client.get(DASHBOARD, WEEK).json()["data"]["revenue"]["currency"] == "KRW"  # cached now
    assert client.get(DASHBOARD, {**WEEK, "currency": "USD"}).json()["data"]["revenue"]["total"] == 8.5
    assert client.get(DASHBOARD, WEEK).json()["data"]["revenue"]["total"] == 25000.0


def test_shop_currency_system_check(settings):
    settings.SHOP_CURRENCY = "XBT"
    errors = [e for e in run_checks() if e.id == "commerce.E001"]
    assert len(errors) == 1 and "KRW, USD, EUR, JPY, CNY, GBP" in errors[0].hint
    settings.SHOP_CURRENCY = "GBP"
    assert [e for e in run_checks() if e.id == "commerce.E001"] == []


# --- the "done means" of issue 8: a GBP shop imported with import_transactions -----------------
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)


def _gbp_log(path) -> None:
    """One year of an Online-Retail-style log in pounds: every day 2–5 invoices of 1–3 lines with
    weekly seasonality and slow growth, a cancellation (C…) every fifth day, prices in pence."""
    rng = np.random.default_rng(7)
    rows = []
    invoice = 536000
    day = FIRST_DAY
    while day <= LAST_DAY:
        n = 4 + int(day.weekday() >= 5) + int(rng.integers(0, 2))
        for k in range(n):
            invoice += 1
            customer = 12000 + int(rng.integers(0, 60))
            for line in range(1 + int(rng.integers(0, 3))):
                qty = 1 + int(rng.integers(0, 6))
                pence = 99 + int(rng.integers(0, 1200)) + (day - FIRST_DAY).days
                when = f"{day.month}/{day.day}/{day.year} {9 + k}:{10 + line:02d}"
                rows.append(
                    (str(invoice), f"SKU{line}{k}", f"ITEM {line}{k}", qty, when, f"{pence / 100:.2f}", customer)
                )
        if day.day % 5 == 0:
            invoice += 1
            rows.append(
                (f"C{invoice}", "SKU00", "ITEM 00", -2, f"{day.month}/{day.day}/{day.year} 20:00", "3.50", 12001)
            )
        day += dt.timedelta(days=1)
    header = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)


@pytest.mark.django_db(transaction=False)
def test_done_means_gbp_import_dashboard_to_the_penny_and_forecast(tmp_path, settings, api_client_for):
    settings.SHOP_CURRENCY = "GBP"
    path = tmp_path / "online_retail_gbp.csv"
    _gbp_log(path)
    out = StringIO()
    call_command("import_transactions", str(path), "--currency", "GBP", "--timezone", "Europe/London", stdout=out)
    assert Order.objects.exclude(currency="GBP").count() == 0
    delivered = Order.objects.filter(status=OrderStatus.DELIVERED)
    expected = sum(delivered.values_list("total", flat=True), Decimal(0))
    assert expected > 0 and Order.objects.filter(status=OrderStatus.CANCELLED).exists()

    client = api_client_for("MANAGER")
    year = {"period": "year", "start_date": FIRST_DAY.isoformat(), "end_date": LAST_DAY.isoformat()}
    data = client.get(DASHBOARD, year).json()["data"]
    revenue = data["revenue"]
    assert revenue["currency"] == "GBP"
    assert Decimal(str(revenue["total"])) == expected  # to the penny
    assert revenue["by_currency"][0]["currency"] == "GBP"
    assert Decimal(str(revenue["by_currency"][0]["total"])) == expected
    assert data["orders"]["completed"] == delivered.count()
    assert data["orders"]["average_order_value"] == round(float(expected) / delivered.count(), 2)
    assert sum(Decimal(str(d["revenue"])) for d in data["daily_trend"]) == expected
    assert data["top_categories"][0]["category_name"] == "미분류"
    assert Decimal(str(data["top_categories"][0]["revenue"])) == expected

    forecast = client.get(FORECAST, {"as_of": LAST_DAY.isoformat(), "days": 14})
    assert forecast.status_code == 200, forecast.content
    body = forecast.json()["data"]
    assert body["forecast_period"]["currency"] == "GBP"
    assert len(body["historical_data"]) == 90 and len(body["forecast"]) == 14
    assert body["metrics"]["backtest"]["weeks"] == 4
    assert 0 < body["metrics"]["model_accuracy"] <= 1
    assert body["metrics"]["model_accuracy"] == body["metrics"]["backtest"]["accuracy"]
    # the history is the demand in pounds: non-cancelled orders of each day
    last = Order.objects.exclude(status=OrderStatus.CANCELLED).filter(
        created_at__gte=dt.datetime(2025, 12, 30, 15, tzinfo=dt.UTC),
        created_at__lt=dt.datetime(2025, 12, 31, 15, tzinfo=dt.UTC),
    )
    assert Decimal(str(body["historical_data"][-1]["actual_sales"])) == sum(last.values_list("total", flat=True))

    # today (long after the log ends) the answer says which as_of would work
    stale = client.get(FORECAST).json()["error"]
    assert stale["code"] == "INSUFFICIENT_DATA"
    assert stale["details"]["currency"] == "GBP" and stale["details"]["last_sale_date"] == "2025-12-31"
    assert "as_of" in stale["message"]

    # the backtest command per currency
    out = StringIO()
    call_command("backtest_forecast", "--as-of", LAST_DAY.isoformat(), "--currency", "gbp", stdout=out)
    assert "통화 GBP, 기준일 2025-12-31" in out.getvalue() and "accuracy(1 − sMAPE)" in out.getvalue()


def test_admin_overview_shows_the_shop_currency(gbp_shop, backoffice_client_for, time_machine):
    time_machine.move_to(kst(2026, 11, 20, 12))
    html = backoffice_client_for("MANAGER").get("/admin/").content.decode()
    assert "보고 통화 GBP" in html
    # this month (November): the three delivered and the shipped order, cancelled excluded
    assert 'data-currency="GBP">£57.45<' in html  # 53.46 + 3.99
    assert "월별 쇼핑몰 매출 (£, GBP)" in html
