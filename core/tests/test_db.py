"""Bulk loads leave planner statistics behind (docs/data.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection


def _tables_with_statistics() -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()")
        else:
            cur.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cur.fetchall()}


@pytest.mark.django_db
def test_seed_demo_leaves_statistics() -> None:
    call_command("seed_demo", "--customers", "30", "--orders", "200", "--as-of", "2026-06-30", verbosity=0)
    analysed = _tables_with_statistics()
    for table in ("customers_customer", "customers_servicesession", "commerce_order", "commerce_orderitem"):
        assert table in analysed
