"""The wellness-center half of the monthly sales report. Center money is always KRW (원): package
prices are recorded in won.

Definitions (docs/reports.md repeats them):

- Package sales: purchases dated in the month whose status is ``active`` (the rule of
  ``Customer.total_revenue``: refunded and cancelled purchases are not revenue); refunded and
  cancelled purchases of the month are counted apart.
- Sessions by service: sessions with a service date in the month; of them, redeemed from a
  package; distinct customers; mean satisfaction of the rated ones.
- Outstanding prepaid liability at ``as_of`` (the month's last day, or today for the running
  month): sessions of ``active`` purchases bought on or before ``as_of`` and expiring after it,
  not yet used on ``as_of`` (``used`` now minus the package sessions dated after ``as_of``).
  Their value is the price paid allocated to the sessions by the services' list prices (relative
  stand-alone selling prices, as IFRS 15 / K-IFRS 1115 allocate a bundle); a purchase whose
  services all have a list price of 0 is allocated per session. ``expiring`` gives how much of
  it expires within 30, 60 and 90 days after ``as_of`` (cumulative).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Q, Sum

from customers.models import PackagePurchase, PurchaseStatus, Service, ServiceSession

EXPIRY_WINDOWS = (30, 60, 90)


def _won(value: Any) -> int:
    return int(Decimal(str(value or 0)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def package_sales(*, start: date, end: date) -> dict[str, Any]:
    """Packages sold in ``start..end``: per package count and revenue (active purchases), and the
    refunded/cancelled purchases of the period."""
    qs = PackagePurchase.objects.filter(purchase_date__gte=start, purchase_date__lte=end)
    rows = list(
        qs.filter(status=PurchaseStatus.ACTIVE)
        .order_by()
        .values("package_id", "package__name")
        .annotate(count=Count("id"), revenue=Sum("price_paid"))
        .order_by("-revenue", "package_id")
    )
    other = dict(
        qs.exclude(status=PurchaseStatus.ACTIVE)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    packages = [
        {
            "package_id": r["package_id"],
            "package_name": r["package__name"],
            "count": r["count"],
            "revenue": _won(r["revenue"]),
        }
        for r in rows
    ]
    return {
        "count": sum(p["count"] for p in packages),
        "revenue": sum(p["revenue"] for p in packages),
        "refunded": other.get(PurchaseStatus.REFUNDED, 0),
        "cancelled": other.get(PurchaseStatus.CANCELLED, 0),
        "packages": packages,
    }


def sessions_by_service(*, start: date, end: date) -> dict[str, Any]:
    """Sessions delivered in ``start..end`` per service, with satisfaction."""
    qs = ServiceSession.objects.filter(service_date__gte=start, service_date__lte=end)
    per_service = {
        r["service_id"]: r
        for r in qs.order_by()
        .values("service_id")
        .annotate(
            sessions=Count("id"),
            from_package=Count("id", filter=Q(purchase__isnull=False)),
            customers=Count("customer_id", distinct=True),
            rated=Count("id", filter=Q(satisfaction_rating__isnull=False)),
            satisfaction=Avg("satisfaction_rating"),
        )
    }
    services = []
    for service in Service.objects.order_by("id"):
        r = per_service.get(service.pk)
        services.append(
            {
                "service_code": service.code,
                "service_name": service.name,
                "sessions": r["sessions"] if r else 0,
                "from_package": r["from_package"] if r else 0,
                "customers": r["customers"] if r else 0,
                "rated": r["rated"] if r else 0,
                "satisfaction": round(float(r["satisfaction"]), 2) if r and r["satisfaction"] is not None else None,
            }
        )
    totals = qs.aggregate(customers=Count("customer_id", distinct=True))
    return {
        "sessions": sum(s["sessions"] for s in services),
        "from_package": sum(s["from_package"] for s in services),
        "customers": totals["customers"],
        "services": services,
    }


def satisfaction(*, start: date, end: date) -> dict[str, Any]:
    """Satisfaction ratings (1–5) of the sessions in ``start..end``."""
    counts = dict(
        ServiceSession.objects.filter(service_date__gte=start, service_date__lte=end, satisfaction_rating__isnull=False)
        .order_by()
        .values("satisfaction_rating")
        .annotate(n=Count("id"))
        .values_list("satisfaction_rating", "n")
    )
    total = sum(counts.values())
    return {
        "rated": total,
        "average": round(sum(k * v for k, v in counts.items()) / total, 2) if total else None,
        "distribution": [
            {
                "rating": star,
                "count": counts.get(star, 0),
                "share": round(counts.get(star, 0) / total * 100, 2) if total else 0.0,
            }
            for star in (5, 4, 3, 2, 1)
        ],
    }


_LIABILITY_SQL = """
WITH open_purchases AS (
    SELECT id, price_paid, expiry_date FROM customers_packagepurchase
    WHERE status = %(active)s AND purchase_date <= %(as_of)s AND expiry_date > %(as_of)s
), after_sessions AS (
    -- package sessions dated after as_of, of the purchases still open then only: the work is
    -- bounded by the open purchases, not by how long ago the month was
    SELECT ss.purchase_id, ss.service_id, COUNT(*) AS n
    FROM customers_servicesession ss JOIN open_purchases op ON op.id = ss.purchase_id
    WHERE ss.service_date > %(as_of)s
    GROUP BY ss.purchase_id, ss.service_id
), open_balances AS (
    SELECT b.service_id, b.total, s.price, p.price_paid, p.expiry_date,
           b.used - COALESCE(a.n, 0) AS used_then,
           SUM(b.total * s.price) OVER (PARTITION BY b.purchase_id) AS weight,
           SUM(b.total) OVER (PARTITION BY b.purchase_id) AS sessions
    FROM customers_packagebalance b
    JOIN open_purchases p ON p.id = b.purchase_id
    JOIN customers_service s ON s.id = b.service_id
    LEFT JOIN after_sessions a ON a.purchase_id = b.purchase_id AND a.service_id = b.service_id
), remaining AS (
    SELECT service_id, price, price_paid, expiry_date, weight, sessions,
           CASE WHEN used_then <= 0 THEN total
                WHEN used_then >= total THEN 0
                ELSE total - used_then END AS left_sessions
    FROM open_balances
)
SELECT service_id,
       CASE WHEN expiry_date <= %(d30)s THEN 30 WHEN expiry_date <= %(d60)s THEN 60
            WHEN expiry_date <= %(d90)s THEN 90 ELSE 0 END AS bucket,
       SUM(left_sessions),
       SUM(CASE WHEN weight > 0 THEN 1.0 * price_paid * left_sessions * price / weight
                WHEN sessions > 0 THEN 1.0 * price_paid * left_sessions / sessions
                ELSE 0 END)
FROM remaining
WHERE left_sessions > 0
GROUP BY service_id, bucket
"""


def prepaid_liability(*, as_of: date) -> dict[str, Any]:
    """Sessions sold but not used at the end of ``as_of`` and their value (see the module
    docstring), per service, and how much of it expires within 30/60/90 days."""
    params = {
        "as_of": as_of,
        "active": PurchaseStatus.ACTIVE.value,
        **{f"d{days}": as_of + timedelta(days=days) for days in EXPIRY_WINDOWS},
    }
    sql = _LIABILITY_SQL
    if connection.vendor == "postgresql":
        # numeric division keeps exact won; SQLite computes in floating point (sub-won differences)
        sql = sql.replace(
            "price_paid * left_sessions * price / weight", "price_paid::numeric * left_sessions * price / weight"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    services = {s.pk: s for s in Service.objects.order_by("id")}
    per_service: dict[int, dict[str, Any]] = {}
    buckets = {days: {"sessions": 0, "value": Decimal(0)} for days in EXPIRY_WINDOWS}
    for service_id, bucket, left, value in rows:
        entry = per_service.setdefault(service_id, {"sessions": 0, "value": Decimal(0)})
        entry["sessions"] += int(left or 0)
        entry["value"] += Decimal(str(value or 0))
        for days in EXPIRY_WINDOWS:
            if bucket and bucket <= days:
                buckets[days]["sessions"] += int(left or 0)
                buckets[days]["value"] += Decimal(str(value or 0))
    by_service = [
        {
            "service_code": services[sid].code if sid in services else str(sid),
            "service_name": services[sid].name if sid in services else str(sid),
            "sessions": entry["sessions"],
            "value": _won(entry["value"]),
        }
        for sid, entry in sorted(per_service.items())
    ]
    return {
        "as_of": as_of.isoformat(),
        "sessions": sum(s["sessions"] for s in by_service),
        # the sum of the rounded rows, so the table adds up
        "value": sum(s["value"] for s in by_service),
        "by_service": by_service,
        "expiring": [
            {"within_days": days, "sessions": buckets[days]["sessions"], "value": _won(buckets[days]["value"])}
            for days in EXPIRY_WINDOWS
        ],
    }
