"""Fast bulk loading for seed_demo and import_transactions.

Rows arrive as pandas DataFrames whose columns are database column names, with ids assigned
by the caller (:func:`next_ids`), so that children can reference parents without a round
trip. PostgreSQL gets one ``COPY … FROM STDIN (FORMAT csv)`` per frame; other databases an
``executemany`` in batches. Datetimes are passed as strings made by :func:`datetimes_sql`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max

SQLITE_BATCH = 5000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def next_ids(model: type[models.Model], n: int) -> np.ndarray:
    """``n`` fresh primary keys after the current maximum (call :func:`reset_sequences` after
    inserting them on PostgreSQL)."""
    start = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    return np.arange(start, start + n, dtype=np.int64)


def datetimes_sql(values: np.ndarray) -> np.ndarray:
    """UTC ``datetime64`` values as the text each backend stores: ISO with ``Z`` for
    PostgreSQL, Django's naive-UTC ``YYYY-MM-DD HH:MM:SS`` for SQLite (compared as text there,
    so the separator matters)."""
    values = np.asarray(values, dtype="datetime64[s]")
    if is_postgres():
        return np.datetime_as_string(values, unit="s", timezone="UTC")
    return np.char.replace(np.datetime_as_string(values, unit="s"), "T", " ")


def dates_sql(values: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(values, dtype="datetime64[D]"), unit="D")


def bulk_insert(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert ``frame`` (columns = column names of ``model``'s table) and return the row count."""
    if frame.empty:
        return 0
    table = model._meta.db_table
    fields = {f.column: f for f in model._meta.concrete_fields}
    columns = list(frame.columns)
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise ValueError(f"{table}: unknown columns {unknown}")
    quote = connection.ops.quote_name
    col_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if is_postgres():
            # Empty CSV fields are NULL; text columns that may not be NULL read them as ''.
            text_not_null = [
                quote(c)
                for c in columns
                if not fields[c].null
                and fields[c].get_internal_type() in ("CharField", "TextField", "EmailField", "URLField")
            ]
            options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text_not_null)})" if text_not_null else "")
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False)
            with cursor.cursor.copy(f"COPY {quote(table)} ({col_sql}) FROM STDIN WITH ({options})") as copy:
                copy.write(buffer.getvalue())
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({col_sql}) VALUES ({placeholders})"  # noqa: S608 - names from _meta
            plain = frame.astype(object).where(frame.notna(), None)
            rows = list(plain.itertuples(index=False, name=None))
            for start in range(0, len(rows), SQLITE_BATCH):
                cursor.executemany(sql, rows[start : start + SQLITE_BATCH])
    return len(frame)


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the maximum."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for model in model_classes:
            table = model._meta.db_table
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({pk}), 1), MAX({pk}) IS NOT NULL) "  # noqa: S608
                f"FROM {connection.ops.quote_name(table)}",
                [table, pk],
            )


@contextmanager
def triggers_off() -> Iterator[bool]:
    """Inside a transaction on PostgreSQL, skip row triggers — foreign-key checks and the
    rollup triggers other apps install — for a bulk load (``session_replication_role =
    replica``; needs a superuser). Yields whether it took effect; elsewhere it does nothing.
    The caller must rebuild whatever those triggers maintain afterwards."""
    if not is_postgres():
        yield False
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        yield False
        return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
