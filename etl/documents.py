"""What is copied: the change set of each entity and the one document schema every target
receives (tantivy and Elasticsearch/OpenSearch index the same dicts).

Incremental change set: source rows whose ``(updated_at, id)`` is past the cursor and whose
``updated_at`` is at or before the run's watermark (now − ``ETL_SAFETY_LAG_SECONDS``, so that
a transaction still open when the run starts is not skipped for good), plus the
:class:`commerce.models.DeletionLog` entries past the deletion cursor. A row that is no longer
indexable (a deactivated product) is deleted from the target; an indexable one is upserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Avg, Count, Model, Q, QuerySet
from django.utils import timezone

from commerce.models import DeletionLog, Order, OrderItem, Product, Review

from .models import Entity


@dataclass(frozen=True)
class EntitySpec:
    name: str
    model: type[Model]
    key: str  # the document's id field
    log_entity: str
    indexable: Q  # rows that belong in the index
    build: Callable[[list[dict]], list[dict | Exception]]
    columns: tuple[str, ...]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _product_documents(rows: list[dict]) -> list[dict | Exception]:
    ids = [r["id"] for r in rows]
    lo, hi = min(ids, default=0), max(ids, default=0)
    # a full rebuild reads in id order: a range is far cheaper to compile and plan than IN (10,000 ids)
    scope = Q(product_id__gte=lo, product_id__lte=hi) if hi - lo < 2 * len(ids) else Q(product_id__in=ids)
    ratings = {
        r["product_id"]: r
        for r in Review.objects.filter(scope).values("product_id").annotate(avg=Avg("rating"), n=Count("id")).order_by()
    }
    docs: list[dict | Exception] = []
    for row in rows:
        try:
            rating = ratings.get(row["id"])
            nutrition = row["nutrition_facts"] or {}
            if not isinstance(nutrition, dict):
                raise ValueError("nutrition_facts is not an object")
            docs.append(
                {
                    "product_id": row["id"],
                    "product_name": row["name"],
                    "product_name_en": row["name_en"] or "",
                    "sku": row["sku"] or "",
                    "category_id": row["category_id"],
                    "category_name": row["category__name"],
                    "price": float(row["price"]),
                    "currency": row["currency"],
                    "rating_average": round(float(rating["avg"]), 2) if rating else None,
                    "review_count": int(rating["n"]) if rating else 0,
                    "nutrition_facts": nutrition,
                    "is_active": bool(row["is_active"]),
                    "created_at": _iso(row["created_at"]),
                    "updated_at": _iso(row["updated_at"]),
                }
            )
        except Exception as exc:  # noqa: BLE001 - a bad record is reported, the batch goes on
            docs.append(exc)
    return docs


def _order_documents(rows: list[dict]) -> list[dict | Exception]:
    ids = [r["id"] for r in rows]
    items: dict[int, list[dict]] = {}
    for item in OrderItem.objects.filter(order_id__in=ids).values(
        "order_id", "product_id", "product__name", "quantity"
    ):
        items.setdefault(item["order_id"], []).append(item)
    docs: list[dict | Exception] = []
    for row in rows:
        try:
            lines = items.get(row["id"], [])
            docs.append(
                {
                    "order_id": row["id"],
                    "buyer_id": row["buyer_id"],
                    "status": row["status"],
                    "total": float(row["total"]),
                    "currency": row["currency"],
                    "item_count": sum(int(x["quantity"]) for x in lines),
                    "product_ids": sorted({x["product_id"] for x in lines}),
                    "product_names": sorted({x["product__name"] for x in lines}),
                    "created_at": _iso(row["created_at"]),
                    "updated_at": _iso(row["updated_at"]),
                }
            )
        except Exception as exc:  # noqa: BLE001 - a bad record is reported, the batch goes on
            docs.append(exc)
    return docs


SPECS: dict[str, EntitySpec] = {
    Entity.PRODUCTS: EntitySpec(
        name=Entity.PRODUCTS,
        model=Product,
        key="product_id",
        log_entity=DeletionLog.Entity.PRODUCT,
        indexable=Q(is_active=True),
        build=_product_documents,
        columns=(
            "id",
            "name",
            "name_en",
            "sku",
            "category_id",
            "category__name",
            "price",
            "currency",
            "nutrition_facts",
            "is_active",
            "created_at",
            "updated_at",
        ),
    ),
    Entity.ORDERS: EntitySpec(
        name=Entity.ORDERS,
        model=Order,
        key="order_id",
        log_entity=DeletionLog.Entity.ORDER,
        indexable=Q(),
        build=_order_documents,
        columns=("id", "buyer_id", "status", "total", "currency", "created_at", "updated_at"),
    ),
}


def is_indexable(spec: EntitySpec, row: dict) -> bool:
    if spec.name == Entity.PRODUCTS:
        return bool(row["is_active"])
    return True


def changed_rows(spec: EntitySpec, *, after: tuple[dt.datetime | None, int], watermark: dt.datetime) -> QuerySet:
    """Source rows past the cursor ``(updated_at, id)`` up to the watermark, in cursor order."""
    ts, last_id = after
    qs = spec.model.objects.filter(updated_at__lte=watermark)
    if ts is not None:
        qs = qs.filter(Q(updated_at__gt=ts) | Q(updated_at=ts, id__gt=last_id))
    return qs.order_by("updated_at", "id")


def deletion_entries(spec: EntitySpec, *, after: int, watermark: dt.datetime) -> QuerySet:
    return DeletionLog.objects.filter(entity=spec.log_entity, id__gt=after, created_at__lte=watermark).order_by("id")


def count_change_set(
    spec: EntitySpec, *, after: tuple[dt.datetime | None, int], deletion_after: int, watermark: dt.datetime
) -> int:
    """How many records an incremental run will send: changed rows, plus logged deletions of
    rows that are not among them (a deactivated product is changed *and* logged: counted once)."""
    changed = set(changed_rows(spec, after=after, watermark=watermark).values_list("id", flat=True))
    logged = set(deletion_entries(spec, after=deletion_after, watermark=watermark).values_list("object_id", flat=True))
    return len(changed) + len(logged - changed)


def count_full(spec: EntitySpec) -> int:
    return spec.model.objects.filter(spec.indexable).count()


def iter_batches(qs: QuerySet, spec: EntitySpec, size: int) -> Iterator[list[dict]]:
    """Keyset pages of ``qs`` (already ordered) as dicts of the spec's columns."""
    rows = list(qs.values(*spec.columns)[:size])
    while rows:
        yield rows
        if len(rows) < size:
            return
        last = rows[-1]
        ordering = qs.query.order_by
        if tuple(ordering) == ("id",):
            rows = list(qs.filter(id__gt=last["id"]).values(*spec.columns)[:size])
        else:
            rows = list(
                qs.filter(
                    Q(updated_at__gt=last["updated_at"]) | Q(updated_at=last["updated_at"], id__gt=last["id"])
                ).values(*spec.columns)[:size]
            )


def now() -> dt.datetime:
    return timezone.now()
