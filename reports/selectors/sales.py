"""The shop half of the monthly sales report.

Every dashboard figure (revenue, orders by status, conversion, average order value, buyers,
retention, daily revenue, top categories, average rating) is taken from the dashboard selector
``analytics.shop.selectors.dashboard.dashboard_stats`` for the calendar month, so the report
says exactly what ``GET /api/v1/analytics/dashboard?start_date=…&end_date=…`` says. What the
dashboard does not have (top products, rating distribution, top buyers) is computed here with
the dashboard's definitions: DELIVERED orders created in the month (local days), money in the
report currency only, counts over all currencies.
"""

from __future__ import annotations

import calendar
import inspect
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Coalesce

from analytics.shop.selectors.dashboard import dashboard_stats, rollups_ready
from analytics.shop.selectors.periods import DayRange
from commerce.models import Order, OrderItem, OrderStatus, Product, Review
from core.timeutils import local_tz
from customers.models import Customer, MembershipLevel

TOP_PRODUCTS = 10
TOP_BUYERS = 10
ZERO = Decimal("0")


def month_range(year: int, month: int) -> DayRange:
    """The calendar month as local days (``settings.TIME_ZONE``)."""
    return DayRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def report_currency() -> str:
    return settings.SHOP_CURRENCY


def _dashboard_takes_currency() -> bool:
    return "currency" in inspect.signature(dashboard_stats).parameters


def shop_dashboard(*, date_range: DayRange, currency: str | None = None) -> dict[str, Any]:
    """The dashboard's answer for ``date_range`` (``period="month"``), in ``currency``
    (default ``SHOP_CURRENCY``) when the dashboard selector takes a currency."""
    if _dashboard_takes_currency():
        return dashboard_stats(period="month", date_range=date_range, currency=currency or report_currency())
    return dashboard_stats(period="month", date_range=date_range)


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 2)


def _points(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


RATES = {"conversion_rate"}
COMPARED = (
    ("revenue", ("revenue", "total")),
    ("orders", ("orders", "total")),
    ("completed_orders", ("orders", "completed")),
    ("average_order_value", ("orders", "average_order_value")),
    ("conversion_rate", ("orders", "conversion_rate")),
    ("active_buyers", ("users", "total_active")),
    ("new_buyers", ("users", "new_users")),
    ("units_sold", ("products", "total_sold")),
)


def comparison(current: dict, previous: dict, year_ago: dict) -> list[dict[str, Any]]:
    """Key figures of the month beside the previous month and the same month a year earlier."""
    rows = []
    for key, (section, field) in COMPARED:
        now, prev, last_year = current[section][field], previous[section][field], year_ago[section][field]
        # a rate changes in percentage points; everything else in percent
        change = _points if key in RATES else _change
        rows.append(
            {
                "key": key,
                "current": now,
                "previous_month": prev,
                "previous_month_change": change(now, prev),
                "year_ago": last_year,
                "year_ago_change": change(now, last_year),
                "change_unit": "pp" if key in RATES else "percent",
            }
        )
    return rows


def _top_product_rows(*, date_range: DayRange, currency: str, limit: int) -> list[dict[str, Any]]:
    """(product_id, units, lines, revenue) of the best sellers: from the daily product rollup
    when it is ready (PostgreSQL, the dashboard's own source), else from the order lines."""
    if rollups_ready():
        sql = """
            SELECT product_id, SUM(quantity) AS units, SUM(lines) AS lines,
                   COALESCE(SUM(revenue) FILTER (WHERE currency = %s), 0) AS revenue
            FROM analytics_shopdailyproductsales
            WHERE status = %s AND day >= %s AND day <= %s
            GROUP BY product_id HAVING SUM(lines) > 0
            ORDER BY revenue DESC, units DESC, product_id
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [currency, OrderStatus.DELIVERED, date_range.start, date_range.end, limit])
            return [
                {"product_id": int(p), "units": int(u), "lines": int(n), "revenue": r}
                for p, u, n, r in cursor.fetchall()
            ]
    lo, hi = date_range.bounds()
    return list(
        OrderItem.objects.filter(
            order__created_at__gte=lo, order__created_at__lt=hi, order__status=OrderStatus.DELIVERED
        )
        .order_by()
        .values("product_id")
        .annotate(
            units=Sum("quantity"),
            lines=Count("id"),
            revenue=Coalesce(Sum("subtotal", filter=Q(order__currency=currency)), ZERO),
        )
        .order_by("-revenue", "-units", "product_id")[:limit]
    )


def top_products(*, date_range: DayRange, currency: str, limit: int = TOP_PRODUCTS) -> list[dict[str, Any]]:
    """Best sellers of the month by revenue in ``currency`` (then units): units, order lines and
    revenue of DELIVERED orders, and the product's average rating over reviews written up to the
    month end."""
    _lo, hi = date_range.bounds()
    rows = _top_product_rows(date_range=date_range, currency=currency, limit=limit)
    ids = [row["product_id"] for row in rows]
    names = {
        p["id"]: (p["name"], p["category__name"])
        for p in Product.objects.filter(pk__in=ids).values("id", "name", "category__name")
    }
    ratings = {
        row["product_id"]: (row["avg"], row["n"])
        for row in Review.objects.filter(product_id__in=ids, created_at__lt=hi)
        .order_by()
        .values("product_id")
        .annotate(avg=Avg("rating"), n=Count("id"))
    }
    return [
        {
            "product_id": row["product_id"],
            "product_name": names.get(row["product_id"], ("", ""))[0],
            "category_name": names.get(row["product_id"], ("", ""))[1],
            "units": int(row["units"] or 0),
            "lines": int(row["lines"] or 0),
            "revenue": round(float(row["revenue"]), 2),
            "average_rating": round(float(ratings[row["product_id"]][0]), 2) if row["product_id"] in ratings else None,
            "reviews": ratings.get(row["product_id"], (None, 0))[1],
        }
        for row in rows
    ]


def review_ratings(*, date_range: DayRange) -> dict[str, Any]:
    """Reviews written in the month: count, average (the dashboard's ``average_rating``) and the
    count per star."""
    lo, hi = date_range.bounds()
    counts = dict(
        Review.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .order_by()
        .values("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    total = sum(counts.values())
    distribution = [
        {
            "rating": star,
            "count": counts.get(star, 0),
            "share": round(counts.get(star, 0) / total * 100, 2) if total else 0.0,
        }
        for star in (5, 4, 3, 2, 1)
    ]
    average = round(sum(star * n for star, n in counts.items()) / total, 2) if total else None
    return {"count": total, "average": average, "distribution": distribution}


def top_buyers(*, date_range: DayRange, currency: str, limit: int = TOP_BUYERS) -> list[dict[str, Any]]:
    """The month's biggest buyers by DELIVERED revenue in ``currency``. Names are returned
    unmasked: the caller masks them for the requester (``reports.selectors.content``)."""
    lo, hi = date_range.bounds()
    rows = list(
        Order.objects.filter(created_at__gte=lo, created_at__lt=hi, status=OrderStatus.DELIVERED, currency=currency)
        .order_by()
        .values("buyer_id")
        .annotate(orders=Count("id"), revenue=Sum("total"))
        .order_by("-revenue", "buyer_id")[:limit]
    )
    people = {
        c["id"]: c
        for c in Customer.objects.filter(pk__in=[r["buyer_id"] for r in rows]).values("id", "name", "membership_level")
    }
    out = []
    for row in rows:
        person = people.get(row["buyer_id"], {"name": "", "membership_level": ""})
        level = person["membership_level"]
        out.append(
            {
                "customer_id": row["buyer_id"],
                "name": person["name"],
                "membership_level": MembershipLevel(level).label if level in MembershipLevel.values else level,
                "orders": row["orders"],
                "revenue": round(float(row["revenue"] or 0), 2),
            }
        )
    return out


def first_order_date() -> date | None:
    """The local day of the shop's first order (months before it cannot be reported)."""
    first = Order.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return first.astimezone(local_tz()).date() if first else None
