"""The derivation of a customer's denormalised figures, computed independently of the stored
columns (``customers.services.stats.customer_stats_refresh`` writes them; a test checks that
both agree after any series of writes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, Max, Min, Sum

from customers.models import (
    HELD_UNTIL_FIELDS,
    SERVICE_BITS,
    PackageBalance,
    PackagePurchase,
    PurchaseStatus,
    ServiceSession,
)

# Purchases that count as revenue: everything not refunded or cancelled.
REVENUE_STATUSES = (PurchaseStatus.ACTIVE,)


class CustomerStats(TypedDict):
    total_visits: int
    first_visit_date: date | None
    last_visit_date: date | None
    total_revenue: Decimal
    average_satisfaction: Decimal | None
    used_services_mask: int
    last_package_expiry: date | None
    held_until: dict[str, date | None]


def satisfaction_average(*, rating_sum: int, rating_count: int) -> Decimal | None:
    """Mean rating rounded half-up to two decimals, in integer arithmetic (exact on every
    database; the refresh uses the same formula in SQL)."""
    if not rating_count:
        return None
    cents = (200 * rating_sum + rating_count) // (2 * rating_count)
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def customer_stats_derived(*, customer_ids: Iterable[int]) -> dict[int, CustomerStats]:
    """``{customer_id: CustomerStats}`` derived from sessions and purchases (every id asked for
    is present; a customer without history gets zeros and ``None``)."""
    ids = sorted({int(i) for i in customer_ids})
    result: dict[int, CustomerStats] = {
        i: {
            "total_visits": 0,
            "first_visit_date": None,
            "last_visit_date": None,
            "total_revenue": Decimal("0"),
            "average_satisfaction": None,
            "used_services_mask": 0,
            "last_package_expiry": None,
            "held_until": dict.fromkeys(HELD_UNTIL_FIELDS),
        }
        for i in ids
    }
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        sessions = (
            ServiceSession.objects.filter(customer_id__in=chunk)
            .values("customer_id")
            .annotate(
                n=Count("id"),
                first=Min("service_date"),
                last=Max("service_date"),
                rated=Count("satisfaction_rating"),
                rating_sum=Sum("satisfaction_rating"),
            )
            .order_by()
        )
        for row in sessions:
            stats = result[row["customer_id"]]
            stats["total_visits"] = row["n"]
            stats["first_visit_date"] = row["first"]
            stats["last_visit_date"] = row["last"]
            stats["average_satisfaction"] = satisfaction_average(
                rating_sum=int(row["rating_sum"] or 0), rating_count=row["rated"]
            )
        revenue = (
            PackagePurchase.objects.filter(customer_id__in=chunk, status__in=REVENUE_STATUSES)
            .values("customer_id")
            .annotate(total=Sum("price_paid"))
            .order_by()
        )
        for row in revenue:
            result[row["customer_id"]]["total_revenue"] = Decimal(row["total"] or 0).quantize(Decimal("1"))
        used = ServiceSession.objects.filter(customer_id__in=chunk).values_list("customer_id", "service__code")
        for customer_id, code in used.distinct().order_by():
            result[customer_id]["used_services_mask"] |= SERVICE_BITS.get(code, 0)
        held = (
            PackageBalance.objects.filter(purchase__customer_id__in=chunk, purchase__status=PurchaseStatus.ACTIVE)
            .values("purchase__customer_id", "service__code")
            .annotate(until=Max("purchase__expiry_date"))
            .order_by()
        )
        for row in held:
            if row["service__code"] in HELD_UNTIL_FIELDS:
                result[row["purchase__customer_id"]]["held_until"][row["service__code"]] = row["until"]
        expiries = (
            PackagePurchase.objects.filter(customer_id__in=chunk, status=PurchaseStatus.ACTIVE)
            .values("customer_id")
            .annotate(last=Max("expiry_date"))
            .order_by()
        )
        for row in expiries:
            result[row["customer_id"]]["last_package_expiry"] = row["last"]
    return result


def customer_stats_stored(*, customer_ids: Iterable[int]) -> dict[int, CustomerStats]:
    """The stored (denormalised) figures, in the same shape as :func:`customer_stats_derived`."""
    from customers.models import Customer

    rows = Customer.objects.filter(id__in=list(customer_ids)).values(
        "id",
        "total_visits",
        "first_visit_date",
        "last_visit_date",
        "total_revenue",
        "average_satisfaction",
        "used_services_mask",
        "last_package_expiry",
        *HELD_UNTIL_FIELDS.values(),
    )
    return {
        r["id"]: {
            "total_visits": r["total_visits"],
            "first_visit_date": r["first_visit_date"],
            "last_visit_date": r["last_visit_date"],
            "total_revenue": Decimal(r["total_revenue"]).quantize(Decimal("1")),
            "average_satisfaction": r["average_satisfaction"],
            "used_services_mask": r["used_services_mask"],
            "last_package_expiry": r["last_package_expiry"],
            "held_until": {code: r[field] for code, field in HELD_UNTIL_FIELDS.items()},
        }
        for r in rows
    }
