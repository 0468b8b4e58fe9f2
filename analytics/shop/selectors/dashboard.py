"""The shop dashboard (seed 000 §2.1), aggregated entirely in the database.

Definitions (docs/analytics-api.md repeats them for users of the API):

- Days are local days in ``settings.TIME_ZONE``; a range is [start 00:00, end+1 00:00).
- Money is never summed across currencies. ``revenue.total``, ``growth_rate``,
  ``daily_average``, ``average_order_value``, the daily ``revenue`` and the categories'
  ``revenue`` are in one currency: the shop's (``settings.SHOP_CURRENCY``, default KRW) or the
  one asked for (``currency=``); ``revenue.by_currency`` lists every currency with sales in
  either period. Counts (orders, buyers, units, ``sales_count``) cover all currencies.
- Revenue = totals of DELIVERED orders created in the range (the seed's rule).
- Orders: completed = DELIVERED, cancelled = CANCELLED, pending = the other statuses;
  conversion_rate = completed / all orders × 100.
- Users: active = buyers with at least one non-cancelled order in the range; new = active
  buyers whose first non-cancelled order ever falls in the range; returning = active − new;
  retention_rate = of the buyers active in the previous period of the same length, the
  percentage active again in this one (null when the previous period had none).
- Products: units and distinct products of DELIVERED orders; average_rating = mean rating of
  reviews written in the range; positive_review_share = percentage of the reviews written in
  the range and scored by the sentiment model (``Review.sentiment``, docs/sentiment.md) that are
  positive, over ``scored_reviews`` of them (null when none is scored).

Two sources compute the same figures: :class:`DirectSource` reads the orders (SQLite, or
PostgreSQL without rollups) and :class:`RollupSource` reads the trigger-maintained rollup
tables (PostgreSQL). ``tests/shop/test_dashboard.py`` checks both give identical results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from analytics.models import (
    ShopRollupState,
)
from commerce.currency import shop_currency
from commerce.models import Order, OrderItem, OrderStatus, Review
from core.timeutils import local_tz

from .periods import DayRange

TOP_CATEGORIES = 10
TREND_THRESHOLD_PCT = 5.0
DELIVERED = OrderStatus.DELIVERED
CANCELLED = OrderStatus.CANCELLED
ZERO = Decimal("0")


def primary_currency() -> str:
    """The shop's reporting currency (kept for callers of the old name; see commerce.currency)."""
    return shop_currency()


@dataclass(frozen=True)
class BuyerCounts:
    active: int
    new: int
    previous_active: int
    retained: int


@dataclass(frozen=True)
class CategoryRow:
    category_id: int
    category_name: str
    sales_count: int
    revenue: Decimal


SalesRow = tuple[str, str, int, Decimal]  # currency, status, orders, revenue


class Source(Protocol):
    name: str

    def sales_periods(self, r: DayRange) -> tuple[list[SalesRow], list[SalesRow]]: ...
    def daily(self, r: DayRange, currency: str) -> dict[date, tuple[Decimal, int, int]]: ...
    def buyers(self, r: DayRange) -> BuyerCounts: ...
    def products(self, r: DayRange) -> tuple[int, int, float | None]: ...
    def categories(self, r: DayRange, currency: str, limit: int) -> list[CategoryRow]: ...


class DirectSource:
    """Aggregates over ``commerce_order`` / ``commerce_orderitem`` / ``commerce_review``."""

    name = "direct"

    @staticmethod
    def _orders(r: DayRange) -> QuerySet:
        lo, hi = r.bounds()
        return Order.objects.filter(created_at__gte=lo, created_at__lt=hi)

    def sales(self, r: DayRange) -> list[tuple[str, str, int, Decimal]]:
        rows = self._orders(r).order_by().values("currency", "status").annotate(n=Count("id"), rev=Sum("total"))
        return [(row["currency"], row["status"], row["n"], row["rev"] or ZERO) for row in rows]

    def sales_periods(self, r: DayRange) -> tuple[list[SalesRow], list[SalesRow]]:
        return self.sales(r), self.sales(r.previous())

    def daily(self, r: DayRange, currency: str) -> dict[date, tuple[Decimal, int, int]]:
        rows = (
            self._orders(r)
            .filter(status=DELIVERED)
            .annotate(day=TruncDate("created_at", tzinfo=local_tz()))
            .order_by()
            .values("day")
            .annotate(
                revenue=Coalesce(Sum("total", filter=Q(currency=currency)), ZERO),
                orders=Count("id"),
                users=Count("buyer_id", distinct=True),
            )
        )
        return {row["day"]: (row["revenue"], row["orders"], row["users"]) for row in rows}

    def _active(self, r: DayRange) -> QuerySet:
        return self._orders(r).exclude(status=CANCELLED).order_by().values("buyer_id").distinct()

    def buyers(self, r: DayRange) -> BuyerCounts:
        lo, hi = r.bounds()
        prev = r.previous()
        new = (
            Order.objects.exclude(status=CANCELLED)
            .order_by()
            .values("buyer_id")
            .annotate(first=Min("created_at"))
            .filter(first__gte=lo, first__lt=hi)
            .count()
        )
        retained = self._active(prev).filter(buyer_id__in=self._active(r)).count()
        return BuyerCounts(
            active=self._active(r).count(), new=new, previous_active=self._active(prev).count(), retained=retained
        )

    def _delivered_items(self, r: DayRange) -> QuerySet:
        lo, hi = r.bounds()
        return OrderItem.objects.filter(order__created_at__gte=lo, order__created_at__lt=hi, order__status=DELIVERED)

    def products(self, r: DayRange) -> tuple[int, int, float | None]:
        agg = self._delivered_items(r).aggregate(sold=Sum("quantity"), unique=Count("product_id", distinct=True))
        return int(agg["sold"] or 0), int(agg["unique"] or 0), self.rating(r)

    def categories(self, r: DayRange, currency: str, limit: int) -> list[CategoryRow]:
        rows = (
            self._delivered_items(r)
            .order_by()
            .values("product__category_id", "product__category__name")
            .annotate(
                sales_count=Count("id"),
                revenue=Coalesce(Sum("subtotal", filter=Q(order__currency=currency)), ZERO),
            )
            .order_by("-revenue", "-sales_count", "product__category_id")[:limit]
        )
        return [
            CategoryRow(row["product__category_id"], row["product__category__name"], row["sales_count"], row["revenue"])
            for row in rows
        ]

    def rating(self, r: DayRange) -> float | None:
        lo, hi = r.bounds()
        agg = Review.objects.filter(created_at__gte=lo, created_at__lt=hi).aggregate(n=Count("id"), total=Sum("rating"))
        return agg["total"] / agg["n"] if agg["n"] else None


class RollupSource:
    """Aggregates over the trigger-maintained rollup tables (PostgreSQL): daily sales, daily
    category and product sales, daily delivered buyers, buyer bitmaps and first-order days."""

    name = "rollup"

    @staticmethod
    def _days(r: DayRange) -> Q:
        return Q(day__gte=r.start, day__lte=r.end)

    @staticmethod
    def _fetchone(sql: str, params: list) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    def sales_periods(self, r: DayRange) -> tuple[list[SalesRow], list[SalesRow]]:
        prev = r.previous()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT day >= %s AS is_current, currency, status, SUM(orders_count), SUM(revenue)
                FROM analytics_shopdailysales WHERE day >= %s AND day <= %s
                GROUP BY 1, 2, 3 HAVING SUM(orders_count) > 0
                """,
                [r.start, prev.start, r.end],
            )
            rows = cursor.fetchall()
        current = [(c, st, int(n), rev or ZERO) for is_cur, c, st, n, rev in rows if is_cur]
        previous = [(c, st, int(n), rev or ZERO) for is_cur, c, st, n, rev in rows if not is_cur]
        return current, previous

    def daily(self, r: DayRange, currency: str) -> dict[date, tuple[Decimal, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT s.day, s.revenue, s.orders, COALESCE(b.delivered_buyers, 0)
                FROM (
                    SELECT day, COALESCE(SUM(revenue) FILTER (WHERE currency = %s), 0) AS revenue,
                           SUM(orders_count) AS orders
                    FROM analytics_shopdailysales WHERE status = %s AND day >= %s AND day <= %s GROUP BY day
                ) s LEFT JOIN analytics_shopdailybuyers b ON b.day = s.day
                WHERE s.orders > 0
                """,
                [currency, DELIVERED, r.start, r.end],
            )
            return {day: (revenue, int(orders), int(users)) for day, revenue, orders, users in cursor.fetchall()}

    @staticmethod
    def _months_and_days(r: DayRange) -> tuple[list[date], list[date]]:
        """Split a range into whole calendar months (monthly bitmaps) and the days outside them."""
        months: list[date] = []
        days: list[date] = []
        day = r.start
        while day <= r.end:
            first = day.replace(day=1)
            next_month = (first + timedelta(days=32)).replace(day=1)
            if day == first and next_month - timedelta(days=1) <= r.end:
                months.append(first)
                day = next_month
            else:
                days.append(day)
                day += timedelta(days=1)
        return months, days

    def buyers(self, r: DayRange) -> BuyerCounts:
        prev = r.previous()
        cur_months, cur_days = self._months_and_days(r)
        prev_months, prev_days = self._months_and_days(prev)
        # OR the bitmaps of each period per chunk and count the bits: exact distinct buyers,
        # and AND-ing the two periods gives the buyers active in both (retention)
        active, previous_active, retained, new = self._fetchone(
            """
            WITH pieces AS (
                SELECT chunk, bits, 'c' AS period FROM analytics_shopbuyermonthbitmap WHERE month = ANY(%s)
                UNION ALL SELECT chunk, bits, 'c' FROM analytics_shopbuyerbitmap WHERE day = ANY(%s)
                UNION ALL SELECT chunk, bits, 'p' FROM analytics_shopbuyermonthbitmap WHERE month = ANY(%s)
                UNION ALL SELECT chunk, bits, 'p' FROM analytics_shopbuyerbitmap WHERE day = ANY(%s)
            ), per_chunk AS (
                SELECT bit_or(bits) FILTER (WHERE period = 'c') AS cur, bit_or(bits) FILTER (WHERE period = 'p') AS prev
                FROM pieces GROUP BY chunk
            )
            SELECT COALESCE(SUM(bit_count(cur)), 0), COALESCE(SUM(bit_count(prev)), 0),
                   COALESCE(SUM(bit_count(cur & prev)), 0),
                   (SELECT COUNT(*) FROM analytics_shopbuyerfirstorder WHERE first_day >= %s AND first_day <= %s)
            FROM per_chunk
            """,
            [cur_months, cur_days, prev_months, prev_days, r.start, r.end],
        )
        return BuyerCounts(
            active=int(active), new=int(new), previous_active=int(previous_active), retained=int(retained)
        )

    def products(self, r: DayRange) -> tuple[int, int, float | None]:
        sold, unique, reviews, rating_sum = self._fetchone(
            """
            SELECT
              (SELECT SUM(quantity) FROM analytics_shopdailycategorysales
               WHERE status = %s AND day >= %s AND day <= %s),
              -- one index probe per product (shop_daily_product_prod) instead of a scan of the range
              (SELECT COUNT(*) FROM commerce_product p WHERE EXISTS (
                 SELECT 1 FROM analytics_shopdailyproductsales s
                 WHERE s.product_id = p.id AND s.status = %s AND s.day >= %s AND s.day <= %s)),
              (SELECT SUM(reviews_count) FROM analytics_shopdailyreviews WHERE day >= %s AND day <= %s),
              (SELECT SUM(rating_sum) FROM analytics_shopdailyreviews WHERE day >= %s AND day <= %s)
            """,
            [DELIVERED, r.start, r.end, DELIVERED, r.start, r.end, r.start, r.end, r.start, r.end],
        )
        return int(sold or 0), int(unique), (float(rating_sum) / float(reviews) if reviews else None)

    def categories(self, r: DayRange, currency: str, limit: int) -> list[CategoryRow]:
        sql = """
            SELECT s.category_id, c.name, SUM(s.lines) AS sales_count,
                   COALESCE(SUM(s.revenue) FILTER (WHERE s.currency = %s), 0) AS revenue
            FROM analytics_shopdailycategorysales s
            JOIN commerce_category c ON c.id = s.category_id
            WHERE s.status = %s AND s.day >= %s AND s.day <= %s
            GROUP BY s.category_id, c.name
            HAVING SUM(s.lines) > 0
            ORDER BY revenue DESC, sales_count DESC, s.category_id
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [currency, DELIVERED, r.start, r.end, limit])
            return [CategoryRow(int(a), b, int(c), d) for a, b, c, d in cursor.fetchall()]


_READY_TTL = 60.0
_ready_cache: dict[str, tuple[float, bool]] = {}


def review_sentiment_share(r: DayRange) -> tuple[int, float | None]:
    """(scored reviews written in the range, % positive of them); read from the reviews by both
    sources (the rollups carry no sentiment)."""
    lo, hi = r.bounds()
    agg = (
        Review.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .exclude(sentiment="")
        .aggregate(n=Count("id"), positive=Count("id", filter=Q(sentiment="positive")))
    )
    return agg["n"], (round(agg["positive"] / agg["n"] * 100, 2) if agg["n"] else None)


def rollups_ready() -> bool:
    """True on PostgreSQL when the triggers were installed for the current ``TIME_ZONE``
    (remembered for a minute per process: the answer only changes with a rebuild)."""
    if connection.vendor != "postgresql":
        return False
    key = f"{connection.settings_dict['NAME']}:{settings.TIME_ZONE}"
    cached = _ready_cache.get(key)
    if cached and time.monotonic() - cached[0] < _READY_TTL:
        return cached[1]
    ready = ShopRollupState.objects.filter(time_zone=settings.TIME_ZONE).exists()
    _ready_cache[key] = (time.monotonic(), ready)
    return ready


def rollups_ready_forget() -> None:
    """Drop this process's memo of :func:`rollups_ready` (after a rebuild or an uninstall)."""
    _ready_cache.clear()


def dashboard_source(prefer: str | None = None) -> Source:
    """``prefer`` = "direct" or "rollup" forces one (tests, benchmark); default: rollups when ready."""
    if prefer == "direct":
        return DirectSource()
    if prefer == "rollup" or rollups_ready():
        return RollupSource()
    return DirectSource()


def _money(value: Decimal | float) -> float:
    return round(float(value), 2)


def _growth(current: Decimal, previous: Decimal) -> float | None:
    """Percentage change; ``None`` when the previous period had nothing to compare with."""
    if previous == 0:
        return None
    return round(float((current - previous) / previous * 100), 2)


def _trend(growth: float | None, current: Decimal) -> str:
    if growth is None:
        return "increasing" if current > 0 else "stable"
    if growth > TREND_THRESHOLD_PCT:
        return "increasing"
    if growth < -TREND_THRESHOLD_PCT:
        return "decreasing"
    return "stable"


def _pct(part: float, whole: float) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def dashboard_stats(
    *, period: str, date_range: DayRange, currency: str | None = None, source: str | None = None
) -> dict:
    """The dashboard of seed 000 §2.1 for ``date_range`` with money in ``currency`` (default:
    the shop's, ``SHOP_CURRENCY``; see the module docstring)."""
    src = dashboard_source(source)
    currency = currency or shop_currency()
    current_sales, previous_sales = src.sales_periods(date_range)

    def completed_by_currency(rows: list[tuple[str, str, int, Decimal]]) -> dict[str, tuple[int, Decimal]]:
        out: dict[str, tuple[int, Decimal]] = {}
        for cur, status, n, rev in rows:
            if status == DELIVERED:
                count, total = out.get(cur, (0, ZERO))
                out[cur] = (count + n, total + rev)
        return out

    done_now = completed_by_currency(current_sales)
    done_before = completed_by_currency(previous_sales)
    total_now = done_now.get(currency, (0, ZERO))[1]
    total_before = done_before.get(currency, (0, ZERO))[1]
    growth = _growth(total_now, total_before)
    currencies = sorted(set(done_now) | set(done_before), key=lambda c: (c != currency, c))
    by_currency = [
        {
            "currency": cur,
            "total": _money(done_now.get(cur, (0, ZERO))[1]),
            "completed_orders": done_now.get(cur, (0, ZERO))[0],
            "previous_total": _money(done_before.get(cur, (0, ZERO))[1]),
            "growth_rate": _growth(done_now.get(cur, (0, ZERO))[1], done_before.get(cur, (0, ZERO))[1]),
        }
        for cur in currencies
    ]

    counts = {"total": 0, "completed": 0, "cancelled": 0, "pending": 0}
    for _cur, status, n, _rev in current_sales:
        counts["total"] += n
        key = "completed" if status == DELIVERED else "cancelled" if status == CANCELLED else "pending"
        counts[key] += n
    primary_completed = done_now.get(currency, (0, ZERO))[0]

    buyers = src.buyers(date_range)
    sold, unique_products, rating = src.products(date_range)
    scored_reviews, positive_share = review_sentiment_share(date_range)
    daily = src.daily(date_range, currency)

    return {
        "period": period,
        "date_range": {"start": date_range.start.isoformat(), "end": date_range.end.isoformat()},
        "revenue": {
            "total": _money(total_now),
            "currency": currency,
            "growth_rate": growth,
            "previous_total": _money(total_before),
            "daily_average": _money(total_now / date_range.days),
            "trend": _trend(growth, total_now),
            "by_currency": by_currency,
        },
        "orders": {
            **counts,
            "conversion_rate": _pct(counts["completed"], counts["total"]),
            "average_order_value": _money(total_now / primary_completed) if primary_completed else 0.0,
        },
        "users": {
            "total_active": buyers.active,
            "new_users": buyers.new,
            "returning_users": buyers.active - buyers.new,
            "retention_rate": round(buyers.retained / buyers.previous_active * 100, 2)
            if buyers.previous_active
            else None,
        },
        "products": {
            "total_sold": sold,
            "unique_products": unique_products,
            "average_rating": round(rating, 2) if rating is not None else None,
            "scored_reviews": scored_reviews,
            "positive_review_share": positive_share,
        },
        "daily_trend": [
            {
                "date": day.isoformat(),
                "revenue": _money(daily.get(day, (ZERO, 0, 0))[0]),
                "orders": daily.get(day, (ZERO, 0, 0))[1],
                "users": daily.get(day, (ZERO, 0, 0))[2],
            }
            for day in date_range.each_day()
        ],
        "top_categories": [
            {
                "category_id": row.category_id,
                "category_name": row.category_name,
                "sales_count": row.sales_count,
                "revenue": _money(row.revenue),
            }
            for row in src.categories(date_range, currency, TOP_CATEGORIES)
        ],
    }
