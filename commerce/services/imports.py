"""Loading an order-line log (CSV or XLSX, "Online Retail" style) into customers, products,
orders and items (``manage.py import_transactions``).

One line = one order item. Lines are read with pandas in chunks and checked with vectorised
rules; refused lines are counted per reason with their line numbers (never dropped silently).
An invoice becomes one order (``Order.external_ref``): ``C…`` invoices or invoices with a
negative quantity are cancellations (``CANCELLED``, quantities taken as absolute values),
the others ``DELIVERED``. Customers are matched on ``Customer.external_id`` (``17850.0`` →
``17850``), products on ``Product.sku``. An invoice already in the database is skipped as a
whole, so re-running the same file creates nothing new. Inserts use COPY on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction
from openpyxl.utils.exceptions import InvalidFileException

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from commerce.models import Category, Currency, Order, OrderItem, OrderStatus, Product
from commerce.services.orders import shop_invalidate
from core.db import database_analyze
from core.errors import ValidationFailed
from core.textfiles import detect_file_encoding
from customers.models import Customer
from customers.services.bulk import bulk_insert, datetimes_sql, is_postgres, next_ids, reset_sequences

DEFAULT_COLUMNS = {
    "InvoiceNo": "InvoiceNo",
    "StockCode": "StockCode",
    "Description": "Description",
    "Quantity": "Quantity",
    "InvoiceDate": "InvoiceDate",
    "UnitPrice": "UnitPrice",
    "CustomerID": "CustomerID",
    "Country": "Country",
}
REQUIRED = ("InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID")
UNCATEGORISED = "미분류"
SHOWN_LINES = 20
LOOKUP_BATCH = 5000
MAX_KEY = 64

REASONS = {
    "no_invoice": "송장 번호 없음",
    "no_customer": "고객 ID 없음",
    "bad_customer": "고객 ID 형식 오류",
    "no_stock_code": "상품 코드 없음",
    "too_long": "코드가 64자를 넘음",
    "bad_quantity": "수량 형식 오류",
    "zero_quantity": "수량 0",
    "bad_price": "단가 형식 오류",
    "negative_price": "음수 단가",
    "bad_date": "주문 일시 형식 오류",
    "customer_conflict": "같은 송장에 다른 고객 ID",
}


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    lines: int = 0
    lines_loaded: int = 0
    lines_skipped_existing: int = 0
    orders_created: int = 0
    orders_cancelled: int = 0
    orders_skipped_existing: int = 0
    customers_created: int = 0
    products_created: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    refused_lines: dict[str, list[int]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def refuse(self, reason: str, line_numbers: np.ndarray) -> None:
        if len(line_numbers) == 0:
            return
        self.refused[reason] = self.refused.get(reason, 0) + len(line_numbers)
        shown = self.refused_lines.setdefault(reason, [])
        room = SHOWN_LINES - len(shown)
        if room > 0:
            shown.extend(int(n) for n in line_numbers[:room])


def _read_chunks(path: Path, *, chunk_size: int, sheet: str | int, encoding: str) -> Iterator[pd.DataFrame]:
    """Raw text cells in chunks, with ``_line`` = the line (row) number in the file (header = 1).
    ``encoding="auto"`` detects UTF-8, UTF-8 with BOM and CP949/EUC-KR (``core.textfiles``).
    A file that cannot be read is a Korean ``VALIDATION_ERROR``, never a parser traceback."""
    try:
        yield from _read_chunks_raw(path, chunk_size=chunk_size, sheet=sheet, encoding=encoding)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            message=f"파일의 글자 인코딩을 읽지 못했습니다({encoding}). UTF-8 또는 CP949(EUC-KR)로 저장하거나 "
            "--encoding 으로 지정하세요",
            details={"encoding": encoding, "byte_offset": exc.start},
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationFailed(message=f"CSV 형식이 올바르지 않습니다: {str(exc).splitlines()[0][:200]}") from exc
    except ValidationFailed:
        raise
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise ValidationFailed(
            message=f"파일을 읽지 못했습니다. 확장자와 내용이 맞는지(CSV·XLSX), 시트 이름이 맞는지 확인하세요: {path.name}",
            details={"reason": type(exc).__name__},
        ) from exc


def _read_chunks_raw(path: Path, *, chunk_size: int, sheet: str | int, encoding: str) -> Iterator[pd.DataFrame]:
    suffix = path.suffix.lower()
    if encoding.lower() == "auto" and suffix in (".csv", ".txt", ".tsv"):
        encoding = detect_file_encoding(path)
    if suffix in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False, engine="openpyxl")
        chunks: Iterator[pd.DataFrame] = (frame.iloc[i : i + chunk_size] for i in range(0, len(frame), chunk_size))
    elif suffix in (".csv", ".txt", ".tsv"):
        chunks = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            chunksize=chunk_size,
            encoding=encoding,
            sep="\t" if suffix == ".tsv" else ",",
        )
    else:
        raise ValidationFailed(message=f"CSV 또는 XLSX 파일만 읽을 수 있습니다: {path.name}")
    offset = 2
    for chunk in chunks:
        chunk = chunk.reset_index(drop=True)
        chunk["_line"] = np.arange(offset, offset + len(chunk))
        offset += len(chunk)
        yield chunk


def _customer_ids(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalised customer ids and a mask of malformed ones: ``17850.0`` → ``17850``."""
    text = raw.astype(str).str.strip()
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    bad = (text != "") & ~text.str.fullmatch(r"[A-Za-z0-9_\-]{1,64}")
    return text, bad


def _parse_dates(raw: pd.Series, *, date_format: str | None, tz: str) -> pd.Series:
    """Local times in ``tz`` → UTC ``datetime64[s]`` (NaT where unparsable)."""
    text = raw.astype(str).str.strip()
    if date_format:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    else:
        try:
            parsed = pd.to_datetime(text, errors="coerce")
        except (ValueError, TypeError):
            parsed = pd.Series(pd.NaT, index=text.index)
        retry = parsed.isna() & (text != "")
        if retry.any():
            parsed[retry] = pd.to_datetime(text[retry], errors="coerce", format="mixed")
    parsed = pd.to_datetime(parsed, errors="coerce")
    if parsed.dt.tz is None:
        # the repeated hour when clocks go back is read as summer time; the skipped hour moves on
        summer = np.ones(len(parsed), dtype=bool)
        parsed = parsed.dt.tz_localize(tz, ambiguous=summer, nonexistent="shift_forward")
    return parsed.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[s]")


def _lookup(model: type, field_name: str, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        found.update(model.objects.filter(**{f"{field_name}__in": batch}).values_list(field_name, "pk"))
    return found


def transactions_import(
    *,
    actor: Principal,
    path: str | Path,
    columns: dict[str, str] | None = None,
    tz: str = "Asia/Seoul",
    currency: str = Currency.KRW,
    dry_run: bool = False,
    chunk_size: int = 100_000,
    sheet: str | int = 0,
    encoding: str = "auto",
    date_format: str | None = None,
    progress: Callable[[int], None] = lambda n: None,
    write_progress: Callable[[int, int], None] = lambda done, total: None,
) -> ImportReport:
    """Import the order lines of ``path`` (see the module docstring). ``columns`` maps the
    canonical names (``InvoiceNo`` …) to the file's headers. Returns the report; with
    ``dry_run`` everything is checked and counted, then rolled back. ``progress(n)`` reports
    lines read; ``write_progress(done, total)`` the rows written (customers, products, orders,
    order lines), chunk by chunk."""
    path = Path(path)
    if not path.exists():
        raise ValidationFailed(message=f"파일이 없습니다: {path}")
    if currency not in Currency.values:
        raise ValidationFailed(message=f"지원하지 않는 통화입니다: {currency}", details={"currency": currency})
    try:
        pd.Timestamp("2020-01-01").tz_localize(tz)
    except Exception as exc:
        raise ValidationFailed(message=f"알 수 없는 시간대입니다: {tz}") from exc
    mapping = {**DEFAULT_COLUMNS, **(columns or {})}
    unknown = sorted(set(columns or {}) - set(DEFAULT_COLUMNS))
    if unknown:
        raise ValidationFailed(message=f"알 수 없는 열 이름입니다: {', '.join(unknown)}", details={"columns": unknown})
    report = ImportReport(dry_run=dry_run)

    kept: list[pd.DataFrame] = []
    for chunk in _read_chunks(path, chunk_size=chunk_size, sheet=sheet, encoding=encoding):
        missing = [name for name in REQUIRED if mapping[name] not in chunk.columns]
        if missing:
            raise ValidationFailed(
                message="필수 열이 없습니다: " + ", ".join(f"{m}({mapping[m]})" for m in missing),
                details={"missing": missing, "found": [c for c in chunk.columns if c != "_line"]},
            )
        report.lines += len(chunk)
        kept.append(_check_chunk(chunk, mapping=mapping, tz=tz, date_format=date_format, report=report))
        progress(len(chunk))
    lines = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()

    with transaction.atomic():
        buyer_ids = (
            _load(lines, report=report, currency=currency, write_progress=write_progress) if not lines.empty else []
        )
        audit_log(
            action=AuditLog.Action.CREATE,
            principal=actor,
            customer_ids=buyer_ids,
            query={
                "entity": "import_transactions",
                "file": path.name,
                "lines": report.lines,
                "orders_created": report.orders_created,
                "customers_created": report.customers_created,
                "products_created": report.products_created,
                "refused": report.refused,
                "dry_run": dry_run,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    if report.orders_created and not dry_run:
        # fresh rows (and the rollups their triggers fed) have no planner statistics until
        # autovacuum runs: every later query would be planned blind. New shop-only buyers are
        # customer rows: VACUUM marks their pages for the searches' index-only scans (core/db.py)
        database_analyze(vacuum_tables=[Customer._meta.db_table] if report.customers_created else [])
    return report


def _check_chunk(
    chunk: pd.DataFrame, *, mapping: dict[str, str], tz: str, date_format: str | None, report: ImportReport
) -> pd.DataFrame:
    """Apply the line rules; record refusals; return the accepted lines in canonical form."""
    line = chunk["_line"].to_numpy()

    def col(name: str) -> pd.Series:
        header = mapping[name]
        return chunk[header].astype(str).str.strip() if header in chunk.columns else pd.Series([""] * len(chunk))

    invoice = col("InvoiceNo")
    stock = col("StockCode")
    customer, bad_customer = _customer_ids(col("CustomerID"))
    quantity = pd.to_numeric(col("Quantity"), errors="coerce")
    price = pd.to_numeric(col("UnitPrice").str.replace(",", "", regex=False), errors="coerce")
    when = _parse_dates(col("InvoiceDate"), date_format=date_format, tz=tz)

    rules = [
        ("no_invoice", invoice == ""),
        ("no_customer", customer == ""),
        ("bad_customer", bad_customer),
        ("no_stock_code", stock == ""),
        ("too_long", (invoice.str.len() > MAX_KEY) | (stock.str.len() > MAX_KEY)),
        ("bad_quantity", quantity.isna() | (quantity.notna() & (quantity != quantity.round()))),
        ("zero_quantity", quantity == 0),
        ("bad_price", price.isna()),
        ("negative_price", price < 0),
        ("bad_date", when.isna()),
    ]
    refused = np.zeros(len(chunk), dtype=bool)
    for reason, mask in rules:
        mask = mask.to_numpy(dtype=bool) & ~refused  # each line counted once, under its first reason
        report.refuse(reason, line[mask])
        refused |= mask
    ok = ~refused
    description = col("Description").str.slice(0, 200)
    return pd.DataFrame(
        {
            "line": line[ok],
            "invoice": invoice[ok].to_numpy(),
            "stock": stock[ok].to_numpy(),
            "description": description[ok].to_numpy(),
            "quantity": quantity[ok].to_numpy().astype(np.int64),
            "cents": np.round(price[ok].to_numpy() * 100).astype(np.int64),
            "when": when[ok].to_numpy(),
            "customer": customer[ok].to_numpy(),
            "country": col("Country").str.slice(0, 64)[ok].to_numpy(),
        }
    )


WRITE_CHUNK = 50_000


def _load(
    lines: pd.DataFrame,
    *,
    report: ImportReport,
    currency: str,
    write_progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[int]:
    """Insert what is new; return the ids of the buyers whose orders were created."""
    # one buyer per invoice: lines naming another customer than the invoice's first are refused
    first_customer = lines.groupby("invoice", sort=False)["customer"].transform("first")
    conflict = (lines["customer"] != first_customer).to_numpy()
    report.refuse("customer_conflict", lines["line"].to_numpy()[conflict])
    lines = lines[~conflict]

    # invoices already imported are skipped whole (idempotent re-runs)
    invoices = lines["invoice"].unique().tolist()
    existing_orders = _lookup(Order, "external_ref", invoices)
    if existing_orders:
        old = lines["invoice"].isin(existing_orders.keys()).to_numpy()
        report.lines_skipped_existing = int(old.sum())
        report.orders_skipped_existing = len(existing_orders)
        lines = lines[~old]
    if lines.empty:
        return []
    n_invoices = int(lines["invoice"].nunique())
    written = [0, 0]  # done, total (customers and products are added once known)
    written[1] = n_invoices + len(lines)

    def wrote(n: int, more_total: int = 0) -> None:
        written[0] += n
        written[1] += more_total
        write_progress(written[0], written[1])

    def insert_chunked(model: type, frame: pd.DataFrame) -> int:
        count = 0
        for start in range(0, len(frame), WRITE_CHUNK):
            part = bulk_insert(model, frame.iloc[start : start + WRITE_CHUNK])
            count += part
            wrote(part)
        return count

    now = np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "s")

    # customers
    customer_keys = lines["customer"].unique().tolist()
    customers = _lookup(Customer, "external_id", customer_keys)
    new_keys = [k for k in customer_keys if k not in customers]
    if new_keys:
        first = (
            lines[lines["customer"].isin(set(new_keys))]
            .groupby("customer", sort=False)
            .agg(when=("when", "min"), country=("country", "first"))
        )
        first = first.loc[new_keys]
        ids = next_ids(Customer, len(new_keys))
        blank = [""] * len(new_keys)
        wrote(0, more_total=len(new_keys))
        report.customers_created = insert_chunked(
            Customer,
            pd.DataFrame(
                {
                    "id": ids,
                    "name": [f"고객 {k}" for k in new_keys],
                    "phone": blank,
                    "email": blank,
                    "gender": blank,
                    "address": blank,
                    "emergency_contact": blank,
                    "occupation": blank,
                    "membership_level": "basic",
                    "customer_status": "active",
                    "health_goals": blank,
                    "preferred_time_slots": "[]",
                    "external_id": new_keys,
                    "country": first["country"].to_numpy(),
                    "total_visits": 0,
                    "total_revenue": 0,
                    "risk_level": "stable",
                    "created_at": datetimes_sql(first["when"].to_numpy()),
                    "updated_at": datetimes_sql(np.full(len(new_keys), now)),
                }
            ),
        )
        customers.update(zip(new_keys, ids.tolist(), strict=True))

    # products: new SKUs go to the "미분류" category at their latest positive price
    sku_keys = lines["stock"].unique().tolist()
    products = _lookup(Product, "sku", sku_keys)
    new_skus = [k for k in sku_keys if k not in products]
    if new_skus:
        category, _ = Category.objects.get_or_create(name=UNCATEGORISED, defaults={"name_en": "Uncategorised"})
        fresh = lines[lines["stock"].isin(set(new_skus))].sort_values("when")
        priced = fresh[fresh["cents"] > 0]
        latest_price = priced.groupby("stock")["cents"].last()
        named = fresh[fresh["description"] != ""].groupby("stock")["description"].last()
        first_seen = fresh.groupby("stock")["when"].min()
        ids = next_ids(Product, len(new_skus))
        names = [named.get(k, k) for k in new_skus]
        wrote(0, more_total=len(new_skus))
        report.products_created = insert_chunked(
            Product,
            pd.DataFrame(
                {
                    "id": ids,
                    "name": names,
                    "name_en": names,
                    "category_id": category.pk,
                    "sku": new_skus,
                    "price": [f"{int(latest_price.get(k, 0)) / 100:.2f}" for k in new_skus],
                    "currency": currency,
                    "image_url": "",
                    "nutrition_facts": "{}",
                    "description": "",
                    "is_active": True if is_postgres() else 1,
                    "created_at": datetimes_sql(first_seen.loc[new_skus].to_numpy()),
                    "updated_at": datetimes_sql(np.full(len(new_skus), now)),
                }
            ),
        )
        products.update(zip(new_skus, ids.tolist(), strict=True))

    # orders and items
    quantity = lines["quantity"].to_numpy()
    cents = lines["cents"].to_numpy()
    lines = lines.assign(abs_qty=np.abs(quantity), negative=quantity < 0, subtotal=np.abs(quantity) * cents)
    orders = lines.groupby("invoice", sort=False).agg(
        customer=("customer", "first"),
        when=("when", "min"),
        negative=("negative", "any"),
        total=("subtotal", "sum"),
    )
    cancelled = np.asarray(orders.index.str.upper().str.startswith("C"), dtype=bool) | orders["negative"].to_numpy()
    order_ids = next_ids(Order, len(orders))
    report.orders_created = insert_chunked(
        Order,
        pd.DataFrame(
            {
                "id": order_ids,
                "buyer_id": orders["customer"].map(customers).to_numpy(),
                "status": np.where(cancelled, OrderStatus.CANCELLED.value, OrderStatus.DELIVERED.value),
                "total": _money(orders["total"].to_numpy()),
                "currency": currency,
                "created_at": datetimes_sql(orders["when"].to_numpy()),
                "updated_at": datetimes_sql(orders["when"].to_numpy()),
                "external_ref": orders.index.to_numpy(),
            }
        ),
    )
    report.orders_cancelled = int(cancelled.sum())
    order_of = dict(zip(orders.index.tolist(), order_ids.tolist(), strict=True))
    report.lines_loaded = insert_chunked(
        OrderItem,
        pd.DataFrame(
            {
                "order_id": lines["invoice"].map(order_of).to_numpy(),
                "product_id": lines["stock"].map(products).to_numpy(),
                "quantity": lines["abs_qty"].to_numpy(),
                "unit_price": _money(cents),
                "subtotal": _money(lines["subtotal"].to_numpy()),
            }
        ),
    )
    reset_sequences(Customer, Product, Order, OrderItem)
    buyer_ids = sorted(set(orders["customer"].map(customers).tolist()))
    shop_invalidate(*buyer_ids)
    return buyer_ids


def _money(cents: np.ndarray) -> np.ndarray:
    cents = np.asarray(cents, dtype=np.int64)
    whole = (cents // 100).astype(str)
    return np.char.add(np.char.add(whole, "."), np.char.zfill((cents % 100).astype(str), 2))


def parse_column_options(values: list[str]) -> dict[str, str]:
    """``["InvoiceNo=invoice", …]`` → ``{"InvoiceNo": "invoice"}`` (``--column``)."""
    mapping = {}
    for value in values:
        match = re.fullmatch(r"\s*([A-Za-z]+)\s*=\s*(.+?)\s*", value)
        if not match:
            raise ValidationFailed(message=f"--column 은 이름=열제목 형식이어야 합니다: {value}")
        mapping[match.group(1)] = match.group(2)
    return mapping
