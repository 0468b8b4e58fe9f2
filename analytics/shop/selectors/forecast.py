"""Sales forecast (seed 000 §2.3): the daily history from the database and an ETS forecast
(:mod:`ml.forecasting`) with model-based intervals, a backtest against seasonal-naive and
insights that quote measured numbers.

Sales here are the *demand*: totals of non-cancelled orders in one currency (the shop's
``SHOP_CURRENCY`` unless another is asked for; never summed across currencies), by the
local day the order was placed (recent orders are rarely delivered yet, so counting only
DELIVERED orders would bend the last days down). For a product or a category, sales are the
line subtotals and ``order_count`` counts order lines.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Coalesce, TruncDate

from analytics.models import ShopDailyCategorySales, ShopDailyProductSales, ShopDailySales
from commerce.currency import shop_currency
from commerce.errors import CommerceError
from commerce.models import Category, Order, OrderItem, OrderStatus, Product
from core.errors import InsufficientData, NotFoundError, ValidationFailed
from core.timeutils import local_today, local_tz
from ml.forecasting import CONFIDENCE_LEVEL, MIN_HISTORY_DAYS, SEASON, backtest, ets_forecast

from .dashboard import rollups_ready
from .periods import DayRange

HISTORY_DAYS = 90
RECENT_DAYS = 28  # "recent" = the last four full weeks (growth, AOV)
BACKTEST_WEEKS = 4
MAX_FORECAST_DAYS = 90
TREND_THRESHOLD_PCT = 5.0
ZERO = Decimal("0")


def _daily_rollup(
    r: DayRange, currency: str, product_id: int | None, category_id: int | None
) -> tuple[dict, date | None]:
    if product_id is None and category_id is None:
        qs = ShopDailySales.objects.filter(currency=currency).exclude(status=OrderStatus.CANCELLED)
        counted = "orders_count"
    elif product_id is not None:
        qs = ShopDailyProductSales.objects.filter(currency=currency, product_id=product_id)
        qs = qs.exclude(status=OrderStatus.CANCELLED)
        counted = "lines"
    else:
        qs = ShopDailyCategorySales.objects.filter(currency=currency, category_id=category_id)
        qs = qs.exclude(status=OrderStatus.CANCELLED)
        counted = "lines"
    first = qs.filter(day__lte=r.end).aggregate(first=Min("day"))["first"]
    rows = (
        qs.filter(day__gte=r.start, day__lte=r.end)
        .values("day")
        .annotate(sales=Sum("revenue"), orders=Sum(counted))
        .values_list("day", "sales", "orders")
    )
    return {day: (sales, int(orders)) for day, sales, orders in rows}, first


def _daily_direct(
    r: DayRange, currency: str, product_id: int | None, category_id: int | None
) -> tuple[dict, date | None]:
    tz = local_tz()
    lo, hi = r.bounds()
    if product_id is None and category_id is None:
        base = Order.objects.filter(currency=currency).exclude(status=OrderStatus.CANCELLED)
        first_at = base.filter(created_at__lt=hi).aggregate(first=Min("created_at"))["first"]
        rows = (
            base.filter(created_at__gte=lo, created_at__lt=hi)
            .annotate(day=TruncDate("created_at", tzinfo=tz))
            .order_by()
            .values("day")
            .annotate(sales=Sum("total"), orders=Count("id"))
            .values_list("day", "sales", "orders")
        )
    else:
        base = OrderItem.objects.filter(order__currency=currency).exclude(order__status=OrderStatus.CANCELLED)
        base = (
            base.filter(product_id=product_id)
            if product_id is not None
            else base.filter(product__category_id=category_id)
        )
        first_at = base.filter(order__created_at__lt=hi).aggregate(first=Min("order__created_at"))["first"]
        rows = (
            base.filter(order__created_at__gte=lo, order__created_at__lt=hi)
            .annotate(day=TruncDate("order__created_at", tzinfo=tz))
            .order_by()
            .values("day")
            .annotate(sales=Coalesce(Sum("subtotal"), ZERO), orders=Count("id"))
            .values_list("day", "sales", "orders")
        )
    first = first_at.astimezone(tz).date() if first_at else None
    return {day: (sales, int(orders)) for day, sales, orders in rows}, first


def daily_sales(
    *,
    date_range: DayRange,
    product_id: int | None = None,
    category_id: int | None = None,
    currency: str | None = None,
) -> tuple[pd.DataFrame, date | None]:
    """Every day of ``date_range`` (zeros included) with ``sales`` and ``orders`` in ``currency``
    (default ``SHOP_CURRENCY``), and the first day with any sale (to tell how much history exists)."""
    currency = currency or shop_currency()
    fetch = _daily_rollup if rollups_ready() else _daily_direct
    by_day, first = fetch(date_range, currency, product_id, category_id)
    index = pd.date_range(date_range.start, date_range.end, freq="D")
    frame = pd.DataFrame(
        {
            "sales": [float(by_day.get(d.date(), (ZERO, 0))[0] or 0) for d in index],
            "orders": [by_day.get(d.date(), (ZERO, 0))[1] for d in index],
        },
        index=index,
    )
    return frame, first


def _last_sale_day(currency: str, product_id: int | None, category_id: int | None, until: date) -> str | None:
    """The latest local day up to ``until`` with a non-cancelled sale in ``currency`` (so an
    answer without enough recent history can say which ``as_of`` would work), or ``None``."""
    tz = local_tz()
    hi = DayRange(until, until).bounds()[1]
    if product_id is None and category_id is None:
        qs = Order.objects.filter(currency=currency, created_at__lt=hi).exclude(status=OrderStatus.CANCELLED)
        last = qs.aggregate(last=Max("created_at"))["last"]
    else:
        items = OrderItem.objects.filter(order__currency=currency, order__created_at__lt=hi)
        items = items.exclude(order__status=OrderStatus.CANCELLED)
        items = (
            items.filter(product_id=product_id)
            if product_id is not None
            else items.filter(product__category_id=category_id)
        )
        last = items.aggregate(last=Max("order__created_at"))["last"]
    return last.astimezone(tz).date().isoformat() if last else None


def _pct_change(new: float, base: float) -> float | None:
    return round((new - base) / base * 100, 2) if base else None


def _weekend_pattern(history: pd.DataFrame) -> tuple[float | None, float]:
    """(weekend vs weekday daily sales in %, share of full weeks showing the same sign)."""
    sales = history["sales"]
    weekend = sales.index.day_of_week >= 5
    weekday_mean, weekend_mean = sales[~weekend].mean(), sales[weekend].mean()
    pct = _pct_change(float(weekend_mean), float(weekday_mean))
    if pct is None:
        return None, 0.0
    weeks = sales.groupby(sales.index.to_period("W-SUN"))
    agree = total = 0
    for _, week in weeks:
        if len(week) < SEASON:
            continue
        we = week[week.index.day_of_week >= 5].mean()
        wd = week[week.index.day_of_week < 5].mean()
        total += 1
        agree += int((we > wd) == (pct > 0))
    return pct, (agree / total if total else 0.0)


def _confidence(share: float) -> str:
    return "high" if share >= 0.8 else "medium" if share >= 0.6 else "low"


def _insights(
    *, growth: float | None, days: int, bt: dict | None, weekend_pct: float | None, weekend_share: float
) -> list[dict]:
    if bt is None:
        trend_conf = "low"
    elif bt["beats_baseline"] and bt["accuracy"] >= 0.8:
        trend_conf = "high"
    elif bt["beats_baseline"]:
        trend_conf = "medium"
    else:
        trend_conf = "low"
    insights = []
    if growth is None:
        message = "최근 4주 판매가 없어 추세를 비교할 수 없습니다"
    elif growth > TREND_THRESHOLD_PCT:
        message = f"향후 {days}일 일평균 매출이 최근 4주 대비 {growth:.1f}% 증가할 것으로 예상됩니다"
    elif growth < -TREND_THRESHOLD_PCT:
        message = f"향후 {days}일 일평균 매출이 최근 4주 대비 {abs(growth):.1f}% 감소할 것으로 예상됩니다"
    else:
        message = f"향후 {days}일 일평균 매출이 최근 4주와 비슷한 수준({growth:+.1f}%)으로 예상됩니다"
    insights.append({"type": "trend", "message": message, "confidence": trend_conf, "value": growth})
    if weekend_pct is not None:
        if abs(weekend_pct) < TREND_THRESHOLD_PCT:
            message = f"주말과 평일 판매가 비슷합니다({weekend_pct:+.1f}%)"
        elif weekend_pct > 0:
            message = f"주말에 판매가 평일보다 {weekend_pct:.1f}% 높은 패턴이 있습니다"
        else:
            message = f"주말에 판매가 평일보다 {abs(weekend_pct):.1f}% 낮은 패턴이 있습니다"
        insights.append(
            {"type": "seasonality", "message": message, "confidence": _confidence(weekend_share), "value": weekend_pct}
        )
    return insights


def forecast_validate_target(*, product_id: int | None, category_id: int | None) -> None:
    if product_id is not None and category_id is not None:
        raise ValidationFailed(
            details={"fields": {"product_id": ["product_id와 category_id는 함께 지정할 수 없습니다"]}}
        )
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        raise NotFoundError(CommerceError.PRODUCT_NOT_FOUND)
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise NotFoundError(CommerceError.CATEGORY_NOT_FOUND)


def sales_forecast(
    *,
    days: int,
    as_of: date,
    product_id: int | None = None,
    category_id: int | None = None,
    currency: str | None = None,
    today: date | None = None,
) -> dict:
    """Seed 000 §2.3 for ``days`` days after ``as_of``, in ``currency`` (default
    ``SHOP_CURRENCY``). Only complete days are fitted: when ``as_of`` is today, history ends
    yesterday and the model forecasts through today."""
    forecast_validate_target(product_id=product_id, category_id=category_id)
    currency = currency or shop_currency()
    today = today or local_today()
    last_full = min(as_of, today - timedelta(days=1))
    window = DayRange(last_full - timedelta(days=HISTORY_DAYS - 1), last_full)
    frame, first = daily_sales(date_range=window, product_id=product_id, category_id=category_id, currency=currency)
    if first is not None and first > window.start:
        frame = frame.loc[pd.Timestamp(first) :]
    available = len(frame) if first is not None else 0
    if available < MIN_HISTORY_DAYS or frame["sales"].sum() <= 0:
        last_sale = _last_sale_day(currency, product_id, category_id, last_full)
        hint = f" (마지막 {currency} 판매일 {last_sale}: as_of로 그 날을 지정할 수 있습니다)" if last_sale else ""
        raise InsufficientData(
            message=f"예측에는 최소 {MIN_HISTORY_DAYS}일(2주)의 {currency} 판매 이력이 필요합니다{hint}",
            details={
                "required_days": MIN_HISTORY_DAYS,
                "available_days": available,
                "history_end": last_full.isoformat(),
                "currency": currency,
                "last_sale_date": last_sale,
            },
        )

    steps = (as_of - last_full).days + days
    predicted = ets_forecast(frame["sales"], steps).iloc[-days:]
    recent = frame.iloc[-RECENT_DAYS:]
    recent_orders = int(recent["orders"].sum())
    aov = float(recent["sales"].sum()) / recent_orders if recent_orders else 0.0
    bt = backtest(frame["sales"], weeks=BACKTEST_WEEKS)

    forecast = [
        {
            "date": ts.date().isoformat(),
            "predicted_sales": round(float(row["mean"]), 2),
            "predicted_orders": round(float(row["mean"]) / aov) if aov > 0 else 0,
            "confidence_lower": round(float(row["lower"]), 2),
            "confidence_upper": round(float(row["upper"]), 2),
            "confidence_level": CONFIDENCE_LEVEL,
        }
        for ts, row in predicted.iterrows()
    ]
    total = float(predicted["mean"].sum())
    average = total / days
    growth = _pct_change(average, float(recent["sales"].mean()))
    weekend_pct, weekend_share = _weekend_pattern(frame)
    return {
        "forecast_period": {
            "start_date": (as_of + timedelta(days=1)).isoformat(),
            "end_date": (as_of + timedelta(days=days)).isoformat(),
            "days": days,
            "as_of": as_of.isoformat(),
            "currency": currency,
            "product_id": product_id,
            "category_id": category_id,
        },
        "historical_data": [
            {
                "date": ts.date().isoformat(),
                "actual_sales": round(float(row["sales"]), 2),
                "order_count": int(row["orders"]),
            }
            for ts, row in frame.iterrows()
        ],
        "forecast": forecast,
        "metrics": {
            "total_predicted_sales": round(total, 2),
            "average_daily_sales": round(average, 2),
            "growth_rate": growth,
            "model_accuracy": bt["accuracy"] if bt else None,
            "average_order_value_used": round(aov, 2),
            "backtest": bt,
            "model": "ETS(A,Ad,A) 주간 계절성 (statsmodels ETSModel)",
        },
        "insights": _insights(growth=growth, days=days, bt=bt, weekend_pct=weekend_pct, weekend_share=weekend_share),
    }


def forecast_history_for_backtest(
    *,
    as_of: date,
    days: int,
    product_id: int | None = None,
    category_id: int | None = None,
    currency: str | None = None,
) -> pd.Series:
    """The daily sales series ending ``as_of`` in ``currency`` (the backtest command's input)."""
    forecast_validate_target(product_id=product_id, category_id=category_id)
    frame, first = daily_sales(
        date_range=DayRange(as_of - timedelta(days=days - 1), as_of),
        product_id=product_id,
        category_id=category_id,
        currency=currency,
    )
    if first is None:
        return frame["sales"].iloc[0:0]
    return frame.loc[pd.Timestamp(max(first, frame.index[0].date())) :, "sales"]


__all__ = ["MAX_FORECAST_DAYS", "daily_sales", "forecast_history_for_backtest", "sales_forecast"]
