"""The back office's overview (admin index): key figures and charts.

Selectors over the customers and commerce models only, each one aggregate query (no rows are
pulled into Python to be counted). Charts are server-side SVG from matplotlib (Agg), inline in
the page: no JavaScript, no external requests. The whole overview is computed ahead — by the
Celery beat every five minutes and after shop writes — and stored in the shared cache
(``overview_refresh``); a request shows the stored copy with its time and never computes it
while one exists (``overview_get``). Names are stored unmasked and masked per viewer on the way
out, like every other cached result.

Money is never summed across currencies: center packages are KRW, shop orders are grouped by
their currency, the shop's reporting currency (``SHOP_CURRENCY``) first. Refunded and
cancelled package purchases are not revenue (the card and the chart agree).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from commerce.currency import shop_currency
from commerce.models import Order, OrderItem, OrderStatus
from core.cache import cache_call
from core.money import currency_symbol
from customers.models import Customer, CustomerStatus, PackagePurchase, PurchaseStatus, ServiceSession
from customers.selectors.kinds import center_customer_q, shop_only_q

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5 * 60
WEEKS = 12
MONTHS = 12
EXPIRY_DAYS = 14
TOP_PRODUCT_DAYS = 90
TOP_PRODUCTS = 8

KOREAN_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", "UnDotum", "Malgun Gothic")
SERVICE_COLORS = {"brain": "#4c6ef5", "pulse": "#f76707", "lymph": "#12b886", "red": "#e03131", "ai_bike": "#7048e8"}


# --- selectors ---------------------------------------------------------------------------
def _month_start(day: dt.date, back: int) -> dt.date:
    year, month = day.year, day.month - back
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def key_figures(*, today: dt.date) -> dict[str, Any]:
    """Counts and sums for the header cards."""
    week_start = today - dt.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    sessions = ServiceSession.objects.aggregate(
        this_week=Count("id", filter=Q(service_date__gte=week_start, service_date__lte=today)),
        last_30_days=Count("id", filter=Q(service_date__gt=today - dt.timedelta(days=30), service_date__lte=today)),
    )
    tz = timezone.get_current_timezone()
    month_start_dt = dt.datetime.combine(month_start, dt.time.min, tzinfo=tz)
    shop_month = (
        Order.objects.filter(created_at__gte=month_start_dt)
        .exclude(status=OrderStatus.CANCELLED)
        .values("currency")
        .annotate(total=Sum("total"), orders=Count("id"))
        .order_by("currency")
    )
    return {
        # the center's customers: shop-only buyers (imported order lines) are not counted here
        "active_customers": Customer.objects.filter(center_customer_q(), customer_status=CustomerStatus.ACTIVE).count(),
        "shop_only_buyers": Customer.objects.filter(shop_only_q()).count(),
        "sessions_this_week": sessions["this_week"],
        "sessions_last_30_days": sessions["last_30_days"],
        "center_revenue_this_month": PackagePurchase.objects.filter(
            purchase_date__gte=month_start, purchase_date__lte=today, status=PurchaseStatus.ACTIVE
        ).aggregate(total=Sum("price_paid"))["total"]
        or Decimal(0),
        "shop_revenue_this_month": sorted(
            (
                {"currency": row["currency"], "total": row["total"] or Decimal(0), "orders": row["orders"]}
                for row in shop_month
            ),
            key=lambda row: (row["currency"] != shop_currency(), row["currency"]),
        ),
        "open_orders": Order.objects.filter(
            status__in=[OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PREPARING]
        ).count(),
    }


def sessions_per_week(*, today: dt.date, weeks: int = WEEKS) -> dict[str, Any]:
    """Sessions per ISO week (Monday) and service over the last ``weeks`` weeks, this one included."""
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    rows = (
        ServiceSession.objects.filter(service_date__gte=first, service_date__lte=today)
        .annotate(week=TruncWeek("service_date"))
        .values("week", "service__code", "service__name")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    week_starts = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    series: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = series.setdefault(row["service__code"], {"name": row["service__name"], "counts": [0] * weeks})
        index = (_as_date(row["week"]) - first).days // 7
        if 0 <= index < weeks:
            entry["counts"][index] += row["n"]
    return {"weeks": week_starts, "series": series}


def revenue_per_month(*, today: dt.date, months: int = MONTHS) -> dict[str, Any]:
    """Center package sales (KRW, net: refunded and cancelled purchases are not revenue) and
    shop orders per currency, per calendar month."""
    first = _month_start(today, months - 1)
    month_starts = [_month_start(today, months - 1 - i) for i in range(months)]
    center = {
        _as_date(row["month"]): row["total"]
        for row in PackagePurchase.objects.filter(
            purchase_date__gte=first, purchase_date__lte=today, status=PurchaseStatus.ACTIVE
        )
        .annotate(month=TruncMonth("purchase_date"))
        .values("month")
        .annotate(total=Sum("price_paid"))
    }
    tz = timezone.get_current_timezone()
    shop: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in (
        Order.objects.filter(created_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz))
        .exclude(status=OrderStatus.CANCELLED)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month", "currency")
        .annotate(total=Sum("total"))
    ):
        shop[row["currency"]][_as_date(row["month"])] = row["total"]
    return {
        "months": month_starts,
        "center_krw": [center.get(m) or Decimal(0) for m in month_starts],
        "shop": {
            cur: [values.get(m) or Decimal(0) for m in month_starts]
            for cur, values in sorted(shop.items(), key=lambda kv: (kv[0] != shop_currency(), kv[0]))
        },
    }


def expiring_packages(*, today: dt.date, days: int = EXPIRY_DAYS, limit: int = 15) -> dict[str, Any]:
    """Active purchases expiring within ``days`` that still have sessions left (call them!)."""
    remaining = Sum(F("balances__total") - F("balances__used"))
    base = (
        PackagePurchase.objects.filter(
            status=PurchaseStatus.ACTIVE, expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=days)
        )
        .annotate(remaining=remaining)
        .filter(remaining__gt=0)
    )
    rows = list(
        base.order_by("expiry_date", "id").values(
            "id", "customer_id", "customer__name", "customer__phone", "package__name", "expiry_date", "remaining"
        )[:limit]
    )
    return {"count": base.count(), "rows": rows}


CONTACT_FIELDS = ("customer__name", "customer__phone")


def _without_contacts(expiring: dict[str, Any]) -> dict[str, Any]:
    """The expiring list as stored for every process: ids only. Names and phones are read when the
    page is shown (:func:`expiring_contacts`), so a deleted or anonymised customer never lingers in
    the shared cache or on screen until the next refresh."""
    rows = [{k: v for k, v in row.items() if k not in CONTACT_FIELDS} for row in expiring["rows"]]
    return {**expiring, "rows": rows}


def expiring_contacts(rows: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """Current ``(name, phone)`` of the customers in the stored expiring rows: one query by primary
    key, none when the list is empty. A customer deleted since the copy was made is absent."""
    ids = {row["customer_id"] for row in rows}
    if not ids:
        return {}
    return {
        pk: (name, phone) for pk, name, phone in Customer.objects.filter(pk__in=ids).values_list("pk", "name", "phone")
    }


def top_products(*, today: dt.date, days: int = TOP_PRODUCT_DAYS, limit: int = TOP_PRODUCTS) -> list[dict[str, Any]]:
    """Best sellers by quantity over the last ``days`` days (cancelled orders excluded); revenue
    stays per currency."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min, tzinfo=tz)
    items = OrderItem.objects.filter(order__created_at__gte=since).exclude(order__status=OrderStatus.CANCELLED)
    top = list(
        items.values("product_id", "product__name")
        .annotate(quantity=Sum("quantity"), orders=Count("order_id", distinct=True))
        .order_by("-quantity", "product_id")[:limit]
    )
    revenue: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for row in (
        items.filter(product_id__in=[t["product_id"] for t in top])
        .values("product_id", "order__currency")
        .annotate(total=Sum("subtotal"))
        .order_by("order__currency")
    ):
        revenue[row["product_id"]].append((row["order__currency"], row["total"]))
    for row in top:
        row["revenue"] = revenue.get(row["product_id"], [])
    return top


# --- charts ------------------------------------------------------------------------------
_pyplot: Any = None


def _plt() -> Any:
    """pyplot on the Agg backend, with a Korean font when one is installed (fonts-nanum);
    otherwise the default font (Hangul may then show as boxes, nothing fails)."""
    global _pyplot
    if _pyplot is None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import font_manager
        from matplotlib import pyplot as plt

        installed = {f.name for f in font_manager.fontManager.ttflist}
        korean = [name for name in KOREAN_FONTS if name in installed]
        if not korean:
            logger.warning("no Korean font found (install fonts-nanum); chart labels may not render")
        plt.rcParams.update(
            {
                "font.family": "sans-serif",
                "font.sans-serif": [*korean, "DejaVu Sans"],
                "axes.unicode_minus": False,
                # text stays text in the SVG: small, selectable, rendered with the browser's fonts
                "svg.fonttype": "none",
                "axes.spines.top": False,
                "axes.spines.right": False,
                "font.size": 9,
            }
        )
        _pyplot = plt
    return _pyplot


def _svg(fig: Any) -> str:
    plt = _plt()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # responsive: let the page decide the width
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 style="width:100%;height:auto"', svg, count=1)


def _thousands(value: float, _pos: int = 0) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:,.0f}K"
    return f"{value:,.0f}"


def chart_sessions_per_week(data: dict[str, Any]) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    labels = [f"{w:%m/%d}" for w in data["weeks"]]
    x = list(range(len(labels)))
    bottom = [0] * len(labels)
    for code, entry in sorted(data["series"].items()):
        ax.bar(x, entry["counts"], bottom=bottom, label=entry["name"], color=SERVICE_COLORS.get(code))
        bottom = [b + c for b, c in zip(bottom, entry["counts"], strict=True)]
    ax.set_xticks(x, labels)
    ax.set_title("주별 서비스 이용 (최근 12주, 주 시작일)")
    ax.set_ylabel("세션 수")
    if data["series"]:
        ax.legend(loc="upper left", fontsize=8, ncols=3, frameon=False)
    else:
        ax.text(0.5, 0.5, "기간 내 이용 기록이 없습니다", transform=ax.transAxes, ha="center", color="#888")
    ax.tick_params(axis="x", labelrotation=45)
    return _svg(fig)


def _money_axis(currency: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    mark = currency_symbol(currency)
    return FuncFormatter(lambda value, pos: f"{mark}{_thousands(value, pos)}")


def chart_revenue_per_month(data: dict[str, Any]) -> list[dict[str, str]]:
    """One chart per currency, the shop's reporting currency first: center KRW + shop KRW side
    by side, every other shop currency alone."""
    plt = _plt()
    labels = [f"{m:%y.%m}" for m in data["months"]]
    x = range(len(labels))
    primary = shop_currency()

    def center_chart() -> dict[str, str]:
        fig, ax = plt.subplots(figsize=(7.5, 3.2))
        shop_krw = data["shop"].get("KRW", [Decimal(0)] * len(labels))
        ax.bar(
            [i - 0.2 for i in x],
            [float(v) for v in data["center_krw"]],
            width=0.4,
            label="센터 패키지 (환불·취소 제외)",
            color="#4c6ef5",
        )
        ax.bar([i + 0.2 for i in x], [float(v) for v in shop_krw], width=0.4, label="쇼핑몰 주문", color="#12b886")
        ax.set_xticks(list(x), labels)
        ax.yaxis.set_major_formatter(_money_axis("KRW"))
        ax.set_title("월별 매출 (₩, KRW)")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        return {"currency": "KRW", "svg": _svg(fig)}

    def shop_chart(currency: str, values: list[Decimal]) -> dict[str, str]:
        fig, ax = plt.subplots(figsize=(7.5, 2.4 if currency != primary else 3.2))
        ax.bar(list(x), [float(v) for v in values], color="#f59f00", label="쇼핑몰 주문")
        ax.set_xticks(list(x), labels)
        ax.yaxis.set_major_formatter(_money_axis(currency))
        mark = currency_symbol(currency)
        ax.set_title(f"월별 쇼핑몰 매출 ({mark + ', ' if mark else ''}{currency})")
        return {"currency": currency, "svg": _svg(fig)}

    charts = []
    if primary != "KRW":
        charts.append(shop_chart(primary, data["shop"].get(primary, [Decimal(0)] * len(labels))))
    charts.append(center_chart())
    for currency, values in data["shop"].items():
        if currency in ("KRW", primary) or not any(values):
            continue
        charts.append(shop_chart(currency, values))
    return charts


def chart_top_products(rows: list[dict[str, Any]]) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * max(len(rows), 3) + 0.8))
    names = [r["product__name"][:18] for r in reversed(rows)]
    ax.barh(names, [r["quantity"] for r in reversed(rows)], color="#f76707")
    ax.set_title(f"인기 상품 (최근 {TOP_PRODUCT_DAYS}일 판매 수량)")
    if not rows:
        ax.text(0.5, 0.5, "기간 내 주문이 없습니다", transform=ax.transAxes, ha="center", color="#888")
    return _svg(fig)


# --- the overview ------------------------------------------------------------------------
def overview_build(*, today: dt.date) -> dict[str, Any]:
    """Everything the overview shows, unmasked (mask per viewer before display)."""
    weekly = sessions_per_week(today=today)
    revenue = revenue_per_month(today=today)
    top = top_products(today=today)
    return {
        "today": today,
        "shop_currency": shop_currency(),
        "figures": key_figures(today=today),
        "expiring": _without_contacts(expiring_packages(today=today)),
        "top_products": top,
        "revenue": revenue,
        "charts": {
            "sessions": chart_sessions_per_week(weekly),
            "revenue": chart_revenue_per_month(revenue),
            "top_products": chart_top_products(top),
        },
        "generated_at": timezone.now(),
    }


# --- the stored copy --------------------------------------------------------------------
# The overview is computed ahead (beat every OVERVIEW_REFRESH_SECONDS, and after shop writes) and
# kept in the shared cache; a staff request reads the stored copy and never waits for the SQL
# and the charts (3–5 s at 100,000 customers). docs/backoffice.md "개요".
STORE_KEY = "overview:stored"
QUEUED_KEY = "overview:refresh-queued"
# the stored copy outlives several missed refreshes but not a forgotten beat: unmasked names
# (the expiring list) are not kept in the cache for longer than a day
STORE_SECONDS = 24 * 60 * 60
# a shop write makes the copy stale, but not more often than this (a busy shop writes orders
# every second; the overview is a trend page, not a ledger)
MIN_REFRESH_SECONDS = 60
SCOPES = ("shop", "catalog")


def _refresh_seconds() -> int:
    return int(getattr(settings, "OVERVIEW_REFRESH_SECONDS", CACHE_SECONDS))


def _store_key() -> str:
    return f"{STORE_KEY}:{shop_currency()}"


def _version_keys() -> list[str]:
    return [f"ver:{scope}" for scope in SCOPES]


def _versions_from(found: dict[str, Any]) -> dict[str, int]:
    return {scope: int(found.get(f"ver:{scope}") or 0) for scope in SCOPES}


def overview_refresh(*, today: dt.date | None = None) -> dict[str, Any]:
    """Compute the overview now and store it for every process. Returns the stored copy:
    ``{"overview", "computed_at", "today", "versions"}``."""
    today = today or timezone.localdate()
    cache_call(lambda: cache.delete(QUEUED_KEY))
    # versions first: a write during the computation leaves the copy stale, never wrongly fresh
    versions = _versions_from(cache_call(lambda: cache.get_many(_version_keys()), {}) or {})
    overview = overview_build(today=today)
    stored = {"overview": overview, "computed_at": overview["generated_at"], "today": today, "versions": versions}
    cache_call(lambda: cache.set(_store_key(), stored, STORE_SECONDS))
    return stored


def overview_refresh_enqueue() -> bool:
    """Ask the job engine for a refresh unless one is already queued. Returns True when sent.

    Without a broker (embedded default, ``CELERY_TASK_ALWAYS_EAGER``) the task runs here and now.
    """
    if not cache_call(lambda: cache.add(QUEUED_KEY, 1, 5 * 60), False):
        return False
    from reports.tasks import refresh_overview

    try:
        refresh_overview.delay()
    except Exception:  # broker outage: the stale copy stays, the beat or the next view retries
        logger.exception("could not enqueue the overview refresh")
        cache_call(lambda: cache.delete(QUEUED_KEY))
        return False
    return True


def _stale_reason(stored: dict[str, Any], versions: dict[str, int], today: dt.date) -> str | None:
    age = (timezone.now() - stored["computed_at"]).total_seconds()
    if stored["today"] != today:
        return "day"
    # one refresh interval and a minute's grace: with the beat running, it refreshes first
    if age > _refresh_seconds() + 60:
        return "age"
    if stored["versions"] != versions and age >= MIN_REFRESH_SECONDS:
        return "writes"
    return None


def overview_get(*, today: dt.date | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored overview, and how fresh it is: ``(overview, {"computed_at", "stale",
    "refreshing", "stored"})``.

    A stored copy is always shown, even when stale; a stale copy (another day, older than the
    refresh interval, or shop writes since) enqueues one refresh. Only with no stored copy at all
    (first start, cache flushed or down) does the request compute the overview itself. On the
    embedded default the job engine runs inline, so the request that enqueues gets the new copy.
    """
    today = today or timezone.localdate()
    key = _store_key()
    found = cache_call(lambda: cache.get_many([key, *_version_keys()]), {}) or {}
    stored = found.get(key)
    if stored is None:
        stored = overview_refresh(today=today)
        return stored["overview"], {
            "computed_at": stored["computed_at"],
            "stale": False,
            "refreshing": False,
            "stored": False,
        }
    reason = _stale_reason(stored, _versions_from(found), today)
    refreshing = False
    if reason is not None:
        refreshing = overview_refresh_enqueue()
        if refreshing and _jobs_inline():
            stored = cache_call(lambda: cache.get(key), None) or stored
            reason, refreshing = None, False
    meta = {"computed_at": stored["computed_at"], "stale": reason is not None, "refreshing": refreshing, "stored": True}
    return stored["overview"], meta


def _jobs_inline() -> bool:
    from reports.tasks import refresh_overview

    return bool(refresh_overview.app.conf.task_always_eager)


__all__ = [
    "expiring_packages",
    "key_figures",
    "overview_build",
    "overview_get",
    "overview_refresh",
    "overview_refresh_enqueue",
    "revenue_per_month",
    "sessions_per_week",
    "top_products",
]
