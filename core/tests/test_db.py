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


@pytest.mark.django_db(transaction=True)
def test_seed_demo_vacuums_the_search_tables() -> None:
    """The searches' counts are index-only scans: PostgreSQL needs the pages marked all-visible
    (VACUUM), not only statistics (core/db.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("the visibility map is PostgreSQL's")
    call_command("seed_demo", "--customers", "30", "--orders", "50", "--as-of", "2026-06-30", verbosity=0)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, relallvisible, relpages FROM pg_class "
            "WHERE relname IN ('customers_customer', 'customers_packagepurchase') ORDER BY relname"
        )
        rows = cur.fetchall()
    assert [name for name, _, _ in rows] == ["customers_customer", "customers_packagepurchase"]
    for _name, all_visible, pages in rows:
        assert pages > 0
        assert all_visible == pages


@pytest.mark.django_db
def test_vacuum_is_skipped_inside_a_transaction(caplog) -> None:
    from core.db import database_analyze

    with caplog.at_level("INFO", logger="core.db"):
        database_analyze(vacuum_tables=["customers_customer"])  # the test runs in a transaction
    if connection.vendor == "postgresql":
        assert "VACUUM skipped inside a transaction: customers_customer" in caplog.text
    else:
        assert caplog.text == ""  # SQLite: ANALYZE only, nothing to skip


@pytest.mark.django_db
def test_customer_table_is_vacuumed_often() -> None:
    """customers 0008: stats refreshes update customer rows, and the index-only scans of the
    searches need the pages re-marked all-visible soon after."""
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum is PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'customers_customer'")
        (options,) = cur.fetchone()
    assert sorted(options) == ["autovacuum_analyze_scale_factor=0.02", "autovacuum_vacuum_scale_factor=0.01"]


@pytest.mark.django_db(transaction=True)
def test_analyze_database_vacuum_marks_the_named_tables() -> None:
    from io import StringIO

    from customers.testing.factories import CustomerFactory

    CustomerFactory.create_batch(3)
    out = StringIO()
    call_command("analyze_database", "--vacuum", "customers_customer", stdout=out)
    assert out.getvalue().startswith("통계 갱신 완료")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = 'customers_customer'")
            all_visible, pages = cur.fetchone()
        assert all_visible == pages > 0
    assert "customers_customer" in _tables_with_statistics()
