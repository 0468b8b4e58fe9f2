"""The denormalised figures of :class:`customers.models.Customer` (total_visits, first/last
visit, total_revenue, average_satisfaction, and the search columns used_services_mask,
last_package_expiry, held_until_<service>).

They are recomputed here, and only here, by one set-based ``UPDATE … FROM (aggregates)`` per
batch of customers, in the caller's transaction. Every service that changes sessions or
purchases calls :func:`customer_stats_refresh`; ``customers.selectors.stats`` holds the
independent derivation that the tests compare with.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from core.cache import invalidate
from customers.models import (
    HELD_UNTIL_FIELDS,
    SERVICE_BITS,
    Customer,
    PackageBalance,
    PackagePurchase,
    PurchaseStatus,
    Service,
    ServiceSession,
)
from customers.selectors.stats import REVENUE_STATUSES

BATCH = 20000


def _refresh_sql(id_filter: str, *, figures: bool = True) -> str:
    customer = Customer._meta.db_table
    session = ServiceSession._meta.db_table
    purchase = PackagePurchase._meta.db_table
    balance = PackageBalance._meta.db_table
    service = Service._meta.db_table
    active = f"'{PurchaseStatus.ACTIVE}'"
    # distinct powers of two summed once per (customer, service) = the bitwise OR, portably
    bit = "CASE sv.code " + " ".join(f"WHEN '{c}' THEN {b}" for c, b in SERVICE_BITS.items()) + " ELSE 0 END"
    where_purchase = f"AND p.customer_id IN ({id_filter})" if id_filter else ""
    # per service: the latest expiry among the "active" purchases holding a balance of it
    held_max = ", ".join(
        f"MAX(CASE WHEN sv.code = '{code}' THEN p.expiry_date END) AS {field}"
        for code, field in HELD_UNTIL_FIELDS.items()
    )
    held_set = ", ".join(f"{field} = hu.{field}" for field in HELD_UNTIL_FIELDS.values())
    statuses = ", ".join(f"'{s}'" for s in REVENUE_STATUSES)
    where_customer = f"WHERE id IN ({id_filter})" if id_filter else ""
    where_child = f"AND customer_id IN ({id_filter})" if id_filter else ""
    # Mean rating rounded half-up to cents in integer arithmetic, so that PostgreSQL and SQLite
    # give the same two decimals as customers.selectors.stats.satisfaction_average.
    figures_set = """
            total_visits = COALESCE(s.n, 0),
            first_visit_date = s.first_date,
            last_visit_date = s.last_date,
            average_satisfaction = CASE WHEN s.rated > 0
                THEN ((200 * s.rating_sum + s.rated) / (2 * s.rated)) * 0.01 END,
            total_revenue = COALESCE(p.revenue, 0),"""
    figures_join = f"""
        LEFT JOIN (
            SELECT customer_id, COUNT(*) AS n, MIN(service_date) AS first_date,
                   MAX(service_date) AS last_date, COUNT(satisfaction_rating) AS rated,
                   SUM(satisfaction_rating) AS rating_sum
            FROM {session} WHERE 1 = 1 {where_child} GROUP BY customer_id
        ) AS s ON s.customer_id = ids.id
        LEFT JOIN (
            SELECT customer_id, SUM(price_paid) AS revenue
            FROM {purchase} WHERE status IN ({statuses}) {where_child} GROUP BY customer_id
        ) AS p ON p.customer_id = ids.id"""  # noqa: S608 - same inputs as below
    return f"""
        UPDATE {customer} AS c SET {figures_set if figures else ""}
            used_services_mask = COALESCE(um.mask, 0),
            last_package_expiry = pe.last_expiry,
            {held_set}
        FROM (SELECT id FROM {customer} {where_customer}) AS ids {figures_join if figures else ""}
        LEFT JOIN (
            SELECT u.customer_id, SUM({bit}) AS mask FROM (
                SELECT DISTINCT customer_id, service_id FROM {session} WHERE 1 = 1 {where_child}
            ) AS u JOIN {service} AS sv ON sv.id = u.service_id GROUP BY u.customer_id
        ) AS um ON um.customer_id = ids.id
        LEFT JOIN (
            SELECT p.customer_id, {held_max} FROM {balance} AS b
            JOIN {purchase} AS p ON p.id = b.purchase_id
            JOIN {service} AS sv ON sv.id = b.service_id
            WHERE p.status = {active} {where_purchase} GROUP BY p.customer_id
        ) AS hu ON hu.customer_id = ids.id
        LEFT JOIN (
            SELECT customer_id, MAX(expiry_date) AS last_expiry
            FROM {purchase} WHERE status = {active} {where_child} GROUP BY customer_id
        ) AS pe ON pe.customer_id = ids.id
        WHERE c.id = ids.id
    """  # noqa: S608 - table names from _meta, ids are ints, statuses are constants


def customer_stats_refresh(
    *, customer_ids: Iterable[int] | None, invalidate_cache: bool = True, search_columns_only: bool = False
) -> int:
    """Recompute the denormalised figures of ``customer_ids`` (``None`` = every customer) and
    invalidate their cached results (``customer:<id>``). Returns the number of rows updated.

    Runs inside the caller's transaction (or its own), so the figures change atomically with
    the sessions or purchases that changed them. ``search_columns_only`` rewrites only the
    search columns (service mask, package expiries): for test factories that set the visit figures
    by hand.
    """
    updated = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if customer_ids is None:
            cursor.execute(_refresh_sql("", figures=not search_columns_only))
            updated = cursor.rowcount
            ids: list[int] = []
        else:
            # ints only, so inlining them is safe and avoids SQLite's bound-parameter limit
            ids = sorted({int(i) for i in customer_ids})
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                cursor.execute(_refresh_sql(", ".join(str(i) for i in chunk), figures=not search_columns_only))
                updated += cursor.rowcount
    if invalidate_cache and ids:
        scopes = [f"customer:{i}" for i in ids]
        invalidate(*scopes)
        # again after commit: a read between the write and the commit may have cached old data
        transaction.on_commit(lambda: invalidate(*scopes))
    return updated
