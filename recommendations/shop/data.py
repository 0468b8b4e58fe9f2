"""Reading the shop's interaction log out of the database for training and evaluation.

Everything is read *as of* a cutoff instant (the end of the ``--as-of`` day in the shop's
time zone); nothing after it leaks into a model. Purchases are read as two flat integer
arrays joined in numpy (orders, then their items) so that a million orders fit in a few
hundred megabytes; browsing signals are aggregated per (customer, product) in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Avg, Count

from commerce.models import (
    CartEvent,
    CartEventType,
    Order,
    OrderItem,
    OrderStatus,
    PageView,
    Product,
    Review,
    WishlistItem,
)
from core.timeutils import local_midnight

CHUNK = 50_000


def day_end(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the shop's time zone (exclusive cutoff)."""
    return local_midnight(day + dt.timedelta(days=1))


@dataclass
class PurchaseLog:
    """Order lines of non-cancelled orders: one entry per line."""

    order: np.ndarray  # int64 order id
    buyer: np.ndarray  # int64 customer id
    product: np.ndarray  # int64 product id
    ts: np.ndarray  # float64 epoch seconds of the order
    qty: np.ndarray  # float32 quantity

    def before(self, cutoff: float) -> PurchaseLog:
        m = self.ts < cutoff
        return PurchaseLog(self.order[m], self.buyer[m], self.product[m], self.ts[m], self.qty[m])

    def between(self, start: float, end: float) -> PurchaseLog:
        m = (self.ts >= start) & (self.ts < end)
        return PurchaseLog(self.order[m], self.buyer[m], self.product[m], self.ts[m], self.qty[m])

    def __len__(self) -> int:
        return len(self.order)


def _fromiter(values: object, dtype: type, n: int | None = None) -> np.ndarray:
    return np.fromiter(values, dtype=dtype, count=-1 if n is None else n)  # type: ignore[arg-type]


def purchases_load(*, end: dt.datetime, start: dt.datetime | None = None) -> PurchaseLog:
    """All non-cancelled order lines with ``start <= created_at < end``."""
    orders = Order.objects.exclude(status=OrderStatus.CANCELLED).filter(created_at__lt=end)
    if start is not None:
        orders = orders.filter(created_at__gte=start)
    ids, buyers, stamps = [], [], []
    for oid, buyer, created in orders.values_list("id", "buyer_id", "created_at").iterator(chunk_size=CHUNK):
        ids.append(oid)
        buyers.append(buyer)
        stamps.append(created.timestamp())
    order_ids = np.asarray(ids, dtype=np.int64)
    order_buyer = np.asarray(buyers, dtype=np.int64)
    order_ts = np.asarray(stamps, dtype=np.float64)
    del ids, buyers, stamps
    if not len(order_ids):
        empty = np.zeros(0, dtype=np.int64)
        return PurchaseLog(empty, empty, empty, np.zeros(0), np.zeros(0, dtype=np.float32))
    items = OrderItem.objects.filter(order__in=orders).values_list("order_id", "product_id", "quantity")
    it_order, it_product, it_qty = [], [], []
    for oid, pid, qty in items.iterator(chunk_size=CHUNK):
        it_order.append(oid)
        it_product.append(pid)
        it_qty.append(qty)
    item_order = np.asarray(it_order, dtype=np.int64)
    del it_order
    sort = np.argsort(order_ids, kind="stable")
    pos = sort[np.searchsorted(order_ids, item_order, sorter=sort)]
    return PurchaseLog(
        order=item_order,
        buyer=order_buyer[pos],
        product=np.asarray(it_product, dtype=np.int64),
        ts=order_ts[pos],
        qty=np.asarray(it_qty, dtype=np.float32),
    )


@dataclass
class Signals:
    """Weaker per-(customer, product) signals: product page views, cart additions, wishlist."""

    customer: np.ndarray
    product: np.ndarray
    views: np.ndarray
    carts: np.ndarray
    wished: np.ndarray


def signals_load(*, end: dt.datetime, customer_id: int | None = None) -> Signals:
    """Browsing signals before ``end``, aggregated in the database (optionally one customer)."""
    acc: dict[tuple[int, int], list[float]] = {}
    views = PageView.objects.filter(viewed_at__lt=end, customer__isnull=False, product__isnull=False)
    carts = CartEvent.objects.filter(occurred_at__lt=end, event=CartEventType.ADDED, product__isnull=False)
    wish = WishlistItem.objects.filter(created_at__lt=end)
    if customer_id is not None:
        views, carts, wish = (
            views.filter(customer_id=customer_id),
            carts.filter(customer_id=customer_id),
            wish.filter(customer_id=customer_id),
        )
    # one buyer at request time: plain queries (a server-side cursor costs more than it saves)
    each = (lambda qs: qs) if customer_id is not None else (lambda qs: qs.iterator(chunk_size=CHUNK))
    for col, qs in enumerate((views, carts)):
        rows = (
            qs.values("customer_id", "product_id").annotate(n=Count("id")).values_list("customer_id", "product_id", "n")
        )
        for c, p, n in each(rows):
            acc.setdefault((c, p), [0.0, 0.0, 0.0])[col] = float(n)
    for c, p in each(wish.values_list("customer_id", "product_id")):
        acc.setdefault((c, p), [0.0, 0.0, 0.0])[2] = 1.0
    if not acc:
        z = np.zeros(0)
        return Signals(z.astype(np.int64), z.astype(np.int64), z, z, z)
    keys = np.array(list(acc.keys()), dtype=np.int64)
    vals = np.array(list(acc.values()), dtype=np.float64)
    return Signals(keys[:, 0], keys[:, 1], vals[:, 0], vals[:, 1], vals[:, 2])


@dataclass
class Catalog:
    """Products that existed at the cutoff, with what the content model reads."""

    ids: np.ndarray
    names: list[str]
    names_en: list[str]
    category: np.ndarray
    category_parent: np.ndarray
    price: np.ndarray
    currency: list[str]
    nutrition: list[dict]
    active: np.ndarray


def catalog_load(*, end: dt.datetime) -> Catalog:
    rows = list(
        Product.objects.filter(created_at__lt=end)
        .order_by("id")
        .values_list(
            "id",
            "name",
            "name_en",
            "category_id",
            "category__parent_id",
            "price",
            "currency",
            "nutrition_facts",
            "is_active",
        )
    )
    return Catalog(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        names=[r[1] or "" for r in rows],
        names_en=[r[2] or "" for r in rows],
        category=np.array([r[3] for r in rows], dtype=np.int64),
        category_parent=np.array([r[4] or 0 for r in rows], dtype=np.int64),
        price=np.array([float(r[5]) for r in rows], dtype=np.float64),
        currency=[r[6] for r in rows],
        nutrition=[r[7] if isinstance(r[7], dict) else {} for r in rows],
        active=np.array([bool(r[8]) for r in rows]),
    )


def ratings_load(*, end: dt.datetime, product_ids: np.ndarray) -> np.ndarray:
    """Mean review rating per product (NaN without reviews) of reviews written before ``end``.

    Kept in the artifact: averaging thousands of reviews per listed product at request time
    costs more than the whole rest of a request on a large shop."""
    out = np.full(len(product_ids), np.nan, dtype=np.float32)
    rows = Review.objects.filter(created_at__lt=end).values("product_id").annotate(a=Avg("rating"))
    for pid, avg in rows.values_list("product_id", "a"):
        i = np.searchsorted(product_ids, pid)
        if i < len(product_ids) and product_ids[i] == pid:
            out[i] = float(avg)
    return out


def buyer_lines(*, customer_id: int) -> list[tuple[int, float, float]]:
    """One buyer's non-cancelled order lines (product id, quantity, epoch seconds), read at
    request time so that products bought after training stay excluded."""
    rows = (
        OrderItem.objects.filter(order__buyer_id=customer_id)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("product_id", "quantity", "order__created_at")
    )
    return [(p, float(q), t.timestamp()) for p, q, t in rows]
