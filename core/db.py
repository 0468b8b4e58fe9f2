"""Database maintenance helpers shared by the bulk loaders."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import connection

logger = logging.getLogger(__name__)


def database_analyze(*, vacuum_tables: Sequence[str] = ()) -> None:
    """Refresh the planner's statistics after a bulk load (``seed_demo``, imports), and on
    PostgreSQL ``VACUUM`` the tables named in ``vacuum_tables`` first.

    Right after a bulk COPY PostgreSQL has no statistics until autovacuum gets round to the
    tables, and the planner picks slow plans (searches 300 ms instead of 30 ms on 100k
    customers). ``ANALYZE`` samples each table (seconds at 20M rows), so loaders run it after
    they commit. SQLite gets its ``ANALYZE`` too.

    Statistics are not enough for the searches' counts: they are index-only scans
    (``customer_level_expiry_idx``, ``customer_risk_last_visit_idx``,
    ``purchase_status_exp_cust_idx``), and an index-only scan reads the table for every row
    until ``VACUUM`` has marked the pages all-visible. Freshly loaded tables have no page marked
    (``pg_class.relallvisible = 0``), so the planner falls back to a sequential scan: 41 ms
    instead of 1.6 ms for "expiring + membership" on 20,000 customers (docs/benchmarks.md).
    ``VACUUM`` cannot run inside a transaction; there it is skipped (logged).
    """
    with connection.cursor() as cur:
        if vacuum_tables and connection.vendor == "postgresql":
            if connection.in_atomic_block:
                logger.info("VACUUM skipped inside a transaction: %s", ", ".join(vacuum_tables))
            else:
                cur.execute("VACUUM " + ", ".join(connection.ops.quote_name(t) for t in vacuum_tables))
        cur.execute("ANALYZE")


def database_vacuum_analyze(*, tables: Sequence[str] = ()) -> None:
    """``VACUUM (ANALYZE)`` of ``tables`` (default: the whole database) on PostgreSQL — after a
    restore, statistics and the visibility map that index-only scans need; ``ANALYZE``
    elsewhere."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cur.execute(f"VACUUM (ANALYZE) {names}".strip())
        else:
            cur.execute("ANALYZE")
