from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.cache import cache

from commerce.models import Order, OrderItem, OrderStatus
from commerce.testing.factories import CategoryFactory, ProductFactory
from customers.testing.factories import CustomerFactory

from .conftest import kst

URL = "/api/v1/analytics/sales/forecast"
AS_OF = date(2026, 10, 31)


def make_history(*, start: date, end: date, product=None) -> None:
    """Every day: weekday 3 orders of 10,000, weekend 5; the amount grows 1% a week; one
    cancelled order a day (never counted) and one USD order (other currency, not counted)."""
    buyer = CustomerFactory()
    product = product or ProductFactory()
    orders = []
    day = start
    while day <= end:
        n = 5 if day.weekday() >= 5 else 3
        amount = Decimal(10000 + 100 * ((day - start).days // 7))
        for i in range(n):
            orders.append(
                Order(
                    buyer=buyer,
                    status=OrderStatus.DELIVERED,
                    total=amount,
                    created_at=kst(day.year, day.month, day.day, 9 + i),
                )
            )
        orders.append(
            Order(
                buyer=buyer,
                status=OrderStatus.CANCELLED,
                total=Decimal("99999"),
                created_at=kst(day.year, day.month, day.day, 20),
            )
        )
        orders.append(
            Order(
                buyer=buyer,
                status=OrderStatus.DELIVERED,
                currency="USD",
                total=Decimal("7"),
                created_at=kst(day.year, day.month, day.day, 21),
            )
        )
        day += timedelta(days=1)
    created = Order.objects.bulk_create(orders)
    OrderItem.objects.bulk_create(
        OrderItem(order=o, product=product, quantity=1, unit_price=o.total, subtotal=o.total) for o in created
    )


@pytest.fixture
def history(db):
    product = ProductFactory(category=CategoryFactory(name="김치/반찬"), price=Decimal("10000"))
    make_history(start=AS_OF - timedelta(days=97), end=AS_OF + timedelta(days=10), product=product)
    return product


def test_forecast_shape_intervals_and_history(history, api_client_for):
    response = api_client_for("MANAGER").get(URL, {"days": 14, "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["forecast_period"] == {
        "start_date": "2026-11-01",
        "end_date": "2026-11-14",
        "days": 14,
        "as_of": "2026-10-31",
        "currency": "KRW",
        "product_id": None,
        "category_id": None,
    }
    hist = data["historical_data"]
    assert len(hist) == 90 and hist[0]["date"] == "2026-08-03" and hist[-1]["date"] == "2026-10-31"
    # only non-cancelled KRW orders; orders after as_of are not seen
    sat = next(h for h in hist if h["date"] == "2026-10-31")
    weeks = (AS_OF - (AS_OF - timedelta(days=97))).days // 7
    assert sat == {"date": "2026-10-31", "actual_sales": 5 * (10000 + 100 * weeks), "order_count": 5}
    fc = data["forecast"]
    assert [f["date"] for f in fc] == [(AS_OF + timedelta(days=i)).isoformat() for i in range(1, 15)]
    for f in fc:
        assert 0 <= f["confidence_lower"] <= f["predicted_sales"] <= f["confidence_upper"]
        assert f["confidence_level"] == 0.95
    # the weekly pattern: Saturdays/Sundays ~5/3 of weekdays, and ~5 predicted orders
    by_date = {f["date"]: f for f in fc}
    assert by_date["2026-11-07"]["predicted_sales"] > 1.4 * by_date["2026-11-04"]["predicted_sales"]
    assert by_date["2026-11-07"]["predicted_orders"] == 5
    assert by_date["2026-11-04"]["predicted_orders"] == 3
    metrics = data["metrics"]
    assert metrics["total_predicted_sales"] == pytest.approx(sum(f["predicted_sales"] for f in fc), abs=0.05)
    bt = metrics["backtest"]
    assert bt["weeks"] == 4
    assert metrics["model_accuracy"] == pytest.approx(1 - bt["model"]["smape"] / 100, abs=1e-4)
    # the seasonal-naive figures are reproducible from the returned history
    sales = np.array([h["actual_sales"] for h in hist])
    train, test = sales[:-28], sales[-28:]
    naive = np.resize(train[-7:], 28)
    assert bt["seasonal_naive"]["mae"] == pytest.approx(np.abs(naive - test).mean(), abs=0.01)


def test_insights_quote_measured_numbers(history, api_client_for):
    data = api_client_for("MANAGER").get(URL, {"days": 28, "as_of": AS_OF.isoformat()}).json()["data"]
    hist = data["historical_data"]
    weekend = [h["actual_sales"] for h in hist if date.fromisoformat(h["date"]).weekday() >= 5]
    weekday = [h["actual_sales"] for h in hist if date.fromisoformat(h["date"]).weekday() < 5]
    pct = (np.mean(weekend) - np.mean(weekday)) / np.mean(weekday) * 100
    season = next(i for i in data["insights"] if i["type"] == "seasonality")
    assert season["value"] == pytest.approx(pct, abs=0.01)
    assert f"{pct:.1f}%" in season["message"] and "높은" in season["message"]
    assert season["confidence"] == "high"  # every full week shows it
    trend = next(i for i in data["insights"] if i["type"] == "trend")
    recent = np.mean([h["actual_sales"] for h in hist[-28:]])
    growth = (data["metrics"]["average_daily_sales"] - recent) / recent * 100
    assert trend["value"] == pytest.approx(growth, abs=0.01) == data["metrics"]["growth_rate"]


def test_same_as_of_same_answer_even_after_new_orders(history, api_client_for):
    client = api_client_for("MANAGER")
    first = client.get(URL, {"days": 7, "as_of": AS_OF.isoformat()}).json()["data"]
    make_history(start=AS_OF + timedelta(days=1), end=AS_OF + timedelta(days=5))  # later orders
    cache.clear()
    second = client.get(URL, {"days": 7, "as_of": AS_OF.isoformat()}).json()["data"]
    assert second == first


def test_product_and_category_forecasts(history, api_client_for):
    client = api_client_for("MANAGER")
    by_product = client.get(URL, {"days": 7, "as_of": AS_OF.isoformat(), "product_id": history.pk}).json()["data"]
    by_category = client.get(URL, {"days": 7, "as_of": AS_OF.isoformat(), "category_id": history.category_id}).json()[
        "data"
    ]
    whole = client.get(URL, {"days": 7, "as_of": AS_OF.isoformat()}).json()["data"]
    assert by_product["historical_data"] == by_category["historical_data"] == whole["historical_data"]
    assert by_product["forecast_period"]["product_id"] == history.pk


def test_insufficient_history(db, api_client_for):
    make_history(start=AS_OF - timedelta(days=9), end=AS_OF)
    response = api_client_for("MANAGER").get(URL, {"as_of": AS_OF.isoformat()})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_DATA"
    assert error["details"] == {
        "required_days": 14,
        "available_days": 10,
        "history_end": "2026-10-31",
        "currency": "KRW",
        "last_sale_date": "2026-10-31",
    }
    assert "14일" in error["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 91}, "days"),
        ({"days": "x"}, "days"),
        ({"as_of": "2999-01-01"}, "as_of"),
        ({"as_of": "31-10-2026"}, "as_of"),
    ],
)
def test_validation(db, api_client_for, params, field):
    response = api_client_for("MANAGER").get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]["fields"]


def test_unknown_product_and_both_filters(history, api_client_for):
    client = api_client_for("MANAGER")
    missing = client.get(URL, {"product_id": 999999, "as_of": AS_OF.isoformat()})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    missing = client.get(URL, {"category_id": 999999, "as_of": AS_OF.isoformat()})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "CATEGORY_NOT_FOUND"
    both = client.get(URL, {"product_id": history.pk, "category_id": history.category_id})
    assert both.status_code == 400 and both.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(("role", "status"), [("STAFF", 403), ("MANAGER", 200)])
def test_roles(history, api_client_for, role, status):
    assert api_client_for(role).get(URL, {"days": 7, "as_of": AS_OF.isoformat()}).status_code == status


def test_backtest_command_prints_model_and_baseline(history):
    from io import StringIO

    from django.core.management import call_command

    from analytics.shop.selectors.forecast import forecast_history_for_backtest
    from ml.forecasting import backtest

    out = StringIO()
    call_command("backtest_forecast", "--as-of", AS_OF.isoformat(), "--weeks", "3", stdout=out)
    text = out.getvalue()
    expected = backtest(forecast_history_for_backtest(as_of=AS_OF, days=90), weeks=3)
    assert "검증 3주 (21일)" in text
    ets_line = next(line for line in text.splitlines() if line.strip().startswith("ETS"))
    naive_line = next(line for line in text.splitlines() if line.strip().startswith("seasonal-naive"))
    assert f"{expected['model']['mae']:.2f}" in ets_line and f"{expected['model']['smape']:.2f}" in ets_line
    assert f"{expected['seasonal_naive']['mae']:.2f}" in naive_line
    assert f"accuracy(1 − sMAPE) = {expected['accuracy']:.4f}" in text


def test_backtest_command_too_short(db):
    from django.core.management import CommandError, call_command

    make_history(start=AS_OF - timedelta(days=15), end=AS_OF)
    with pytest.raises(CommandError, match="최소 21일"):
        call_command("backtest_forecast", "--as-of", AS_OF.isoformat())
