"""import_transactions: mapping, cancellations, `.0` ids, refused lines, idempotence, XLSX."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditLog
from commerce.models import Order, OrderItem, OrderStatus, Product
from commerce.testing.factories import ProductFactory
from customers.models import Customer
from customers.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
ROWS = [
    [
        "536365",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "6",
        "12/1/2010 8:26",
        "2.55",
        "17850.0",
        "United Kingdom",
    ],
    ["536365", "71053", "WHITE METAL LANTERN", "6", "12/1/2010 8:26", "3.39", "17850.0", "United Kingdom"],
    ["536366", "22633", "HAND WARMER UNION JACK", "6", "12/1/2010 8:28", "1.85", "", "United Kingdom"],  # line 4
    ["536367", "84879", "ASSORTED COLOUR BIRD ORNAMENT", "32", "12/1/2010 8:34", "1.69", "13047", "France"],
    ["C536379", "D", "Discount", "-1", "12/1/2010 9:41", "27.50", "14527.0", "United Kingdom"],
    ["536380", "22961", "JAM MAKING SET PRINTED", "24", "12/1/2010 9:41", "-1.45", "17809", "United Kingdom"],  # 7
    ["536381", "22139", "RETROSPOT TEA SET", "x", "12/1/2010 9:41", "4.95", "15311", "United Kingdom"],  # 8
    ["536382", "22139", "RETROSPOT TEA SET", "2", "not a date", "4.95", "15311", "United Kingdom"],  # 9
    ["536383", "22139", "RETROSPOT TEA SET", "3", "12/2/2010 10:00", "4.95", "15311", "United Kingdom"],
    [
        "536383",
        "85123A",
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "1",
        "12/2/2010 10:00",
        "2.55",
        "99999",
        "United Kingdom",
    ],  # 11
    ["536384", "71053", "WHITE METAL LANTERN", "-2", "12/2/2010 11:00", "3.39", "13047.0", "France"],
]


def write_csv(
    tmp_path: Path, rows: list[list[str]] = ROWS, header: list[str] = HEADER, name: str = "lines.csv"
) -> Path:
    path = tmp_path / name
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_transactions", str(path), *args, stdout=out)
    return out.getvalue()


def test_loads_orders_customers_products_and_reports_refusals(tmp_path):
    output = run(write_csv(tmp_path))

    assert set(Order.objects.values_list("external_ref", flat=True)) == {
        "536365", "536367", "C536379", "536383", "536384",
    }  # fmt: skip
    first = Order.objects.get(external_ref="536365")
    assert first.status == OrderStatus.DELIVERED and first.currency == "KRW"
    assert first.total == Decimal("35.64")  # 6 × 2.55 + 6 × 3.39
    assert first.buyer.external_id == "17850"  # "17850.0" means 17850
    # 8:26 in Seoul (default --timezone) is 23:26 UTC the day before
    assert first.created_at == dt.datetime(2010, 11, 30, 23, 26, tzinfo=dt.UTC)
    assert sorted(first.items.values_list("product__sku", "quantity", "subtotal")) == [
        ("71053", 6, Decimal("20.34")),
        ("85123A", 6, Decimal("15.30")),
    ]
    # cancellations: a C invoice, and an invoice with a negative quantity
    assert Order.objects.get(external_ref="C536379").status == OrderStatus.CANCELLED
    negative = Order.objects.get(external_ref="536384")
    assert negative.status == OrderStatus.CANCELLED and negative.items.get().quantity == 2
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["13047", "14527", "15311", "17850"]
    assert Product.objects.filter(category__name="미분류").count() == 5
    assert Product.objects.get(sku="85123A").price == Decimal("2.55")

    # refused lines: counted, with their line numbers (header = line 1)
    assert "12줄 중" not in output and "11줄 중 6줄 적재" in output
    assert "고객 ID 없음: 1줄 (줄 번호: 4)" in output
    assert "음수 단가: 1줄 (줄 번호: 7)" in output
    assert "수량 형식 오류: 1줄 (줄 번호: 8)" in output
    assert "주문 일시 형식 오류: 1줄 (줄 번호: 9)" in output
    assert "같은 송장에 다른 고객 ID: 1줄 (줄 번호: 11)" in output
    row = AuditLog.objects.get(query__entity="import_transactions")
    assert row.actor_name == "import_transactions" and row.query["orders_created"] == 5
    assert sorted(row.customer_ids) == sorted(Customer.objects.values_list("id", flat=True))


def test_rerun_duplicates_nothing_and_reuses_existing_rows(tmp_path):
    existing_customer = CustomerFactory(external_id="17850")
    existing_product = ProductFactory(sku="85123A", name="기존 상품")
    path = write_csv(tmp_path)
    run(path)
    counts = (Order.objects.count(), OrderItem.objects.count(), Customer.objects.count(), Product.objects.count())

    output = run(path)

    assert (
        Order.objects.count(),
        OrderItem.objects.count(),
        Customer.objects.count(),
        Product.objects.count(),
    ) == counts
    assert "이미 가져온 송장 5건(6줄)은 건너뜀" in output
    assert Order.objects.get(external_ref="536365").buyer == existing_customer
    existing_product.refresh_from_db()
    assert existing_product.name == "기존 상품"


def test_column_mapping_currency_and_timezone(tmp_path):
    header = ["invoice", "sku", "desc", "qty", "date", "price", "customer", "country"]
    path = write_csv(tmp_path, rows=ROWS[:2], header=header)

    output = run(
        path,
        *("--column", "InvoiceNo=invoice", "--column", "StockCode=sku", "--column", "Description=desc"),
        *("--column", "Quantity=qty", "--column", "InvoiceDate=date", "--column", "UnitPrice=price"),
        *("--column", "CustomerID=customer", "--column", "Country=country"),
        *("--currency", "gbp", "--timezone", "Europe/London"),
    )

    order = Order.objects.get()
    assert "2줄 중 2줄 적재" in output
    assert order.currency == "GBP" and order.created_at == dt.datetime(2010, 12, 1, 8, 26, tzinfo=dt.UTC)
    assert Product.objects.filter(currency="GBP").count() == 2


def test_missing_column_and_bad_options_are_errors(tmp_path):
    path = write_csv(tmp_path, rows=ROWS[:1], header=[*HEADER[:6], "Customer", "Country"])
    with pytest.raises(CommandError, match="필수 열이 없습니다: CustomerID"):
        run(path)
    with pytest.raises(CommandError, match="통화"):
        run(write_csv(tmp_path, name="ok.csv"), "--currency", "XXX")
    with pytest.raises(CommandError, match="시간대"):
        run(write_csv(tmp_path, name="ok2.csv"), "--timezone", "Mars/Olympus")
    assert Order.objects.count() == 0


def test_dry_run_writes_nothing_but_reports(tmp_path):
    output = run(write_csv(tmp_path), "--dry-run")
    assert "[시험 실행: 저장하지 않음] 11줄 중 6줄 적재" in output
    assert Order.objects.count() == 0 and Customer.objects.count() == 0 and Product.objects.count() == 0


def test_xlsx(tmp_path):
    rows = [r[:] for r in ROWS[:5]]
    frame = pd.DataFrame(rows, columns=HEADER)
    frame["Quantity"] = frame["Quantity"].astype(int)
    frame["UnitPrice"] = frame["UnitPrice"].astype(float)
    frame["CustomerID"] = pd.to_numeric(frame["CustomerID"])  # numbers, as a spreadsheet stores them (17850.0)
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"], format="%m/%d/%Y %H:%M")
    path = tmp_path / "lines.xlsx"
    frame.to_excel(path, index=False)

    output = run(path)

    assert "5줄 중 4줄 적재" in output and "고객 ID 없음: 1줄 (줄 번호: 4)" in output
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["13047", "14527", "17850"]
    assert Order.objects.get(external_ref="536365").total == Decimal("35.64")


def test_times_in_the_repeated_autumn_hour_are_loaded(tmp_path):
    rows = [["600001", "22139", "TEA SET", "1", "10/31/2010 1:30", "4.95", "15311", "United Kingdom"]]

    output = run(write_csv(tmp_path, rows=rows), "--timezone", "Europe/London")

    assert "1줄 중 1줄 적재" in output
    # 01:30 happens twice in London that night; the first (summer time, UTC+1) is taken
    assert Order.objects.get().created_at == dt.datetime(2010, 10, 31, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr", "utf-8-sig", "utf-8"])
def test_korean_csv_in_any_office_encoding_is_detected(tmp_path, encoding):
    path = tmp_path / f"주문_{encoding}.csv"
    rows = [
        ["900001", "K-001", "배추김치 1kg", "2", "2026-11-01 10:00", "12900", "17001", "대한민국"],
        ["900001", "K-002", "고추장 500g", "1", "2026-11-01 10:00", "8500", "17001", "대한민국"],
    ]
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False, encoding=encoding)
    out = StringIO()
    call_command("import_transactions", str(path), stdout=out)
    assert Product.objects.get(sku="K-001").name == "배추김치 1kg"
    assert Order.objects.get(external_ref="900001").total == Decimal("34300.00")
    assert "저장" in out.getvalue()  # the write phase has its own progress bar


def test_unreadable_files_are_korean_errors(tmp_path):
    bad_bytes = tmp_path / "lines.csv"
    bad_bytes.write_bytes(b"\xff\xfe\x00\x00garbage\x00\x01")
    fake_xlsx = tmp_path / "orders.xlsx"
    fake_xlsx.write_text("this is not a workbook")
    for path, expected in ((fake_xlsx, "파일을 읽지 못했습니다"),):
        with pytest.raises(CommandError) as refused:
            call_command("import_transactions", str(path), stdout=StringIO())
        assert expected in str(refused.value)
        assert "Traceback" not in str(refused.value)
    with pytest.raises(CommandError) as wrong:
        call_command("import_transactions", str(write_csv(tmp_path)), "--encoding", "utf-16", stdout=StringIO())
    assert "파일" in str(wrong.value) or "인코딩" in str(wrong.value) or "필수 열" in str(wrong.value)
    assert Order.objects.count() == 0


def test_import_leaves_planner_statistics(tmp_path: Path) -> None:
    from django.db import connection

    call_command("import_transactions", str(write_csv(tmp_path)), "--currency", "GBP", stdout=StringIO())
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()")
        else:
            cur.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cur.fetchall()}
    assert {"commerce_order", "commerce_orderitem", "commerce_product"} <= analysed


def test_progress_covers_reading_and_writing(tmp_path):
    """Issue 17: the write phase (most of the time) has its own progress bar, not only reading."""
    output = run(write_csv(tmp_path))
    reading = [line for line in output.replace("\r", "\n").splitlines() if line.startswith("읽기")]
    writing = [line for line in output.replace("\r", "\n").splitlines() if line.startswith("저장")]
    assert reading and writing, output[:500]
    assert re.search(r"저장: 100%\|[^|]*\| (\d+)/\1 \[", writing[-1]), writing[-1]
