"""Order read models: a customer's orders page, and the invariant checks (``total`` = sum of subtotals)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from commerce.models import Order, OrderItem
from core.numbers import money_number

MONEY = DecimalField(max_digits=14, decimal_places=2)


def orders_with_item_sum(*, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders annotated with ``items_total`` (sum of their items' subtotals, 0 without items)."""
    qs = queryset if queryset is not None else Order.objects.all()
    item_sum = (
        OrderItem.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(s=Sum("subtotal"))
        .values("s")
    )
    return qs.annotate(
        items_total=Coalesce(Subquery(item_sum, output_field=MONEY), Value(Decimal("0")), output_field=MONEY)
    )


def orders_total_mismatch(*, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders whose stored ``total`` differs from the sum of their items (should be empty).
    Half a cent of tolerance: SQLite sums decimals in floating point."""
    half_cent = Value(Decimal("0.005"), output_field=MONEY)
    return orders_with_item_sum(queryset=queryset).filter(
        Q(total__lt=F("items_total") - half_cent) | Q(total__gt=F("items_total") + half_cent)
    )


def customer_orders_page(*, customer_id: int, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """The customer's shop orders, newest first, with their items: ``(rows, total)``, three queries."""
    base = Order.objects.filter(buyer_id=customer_id)
    orders = list(
        base.order_by("-created_at", "-id").prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.select_related("product").order_by("id"))
        )[offset : offset + limit]
    )
    rows = [
        {
            "order_id": order.pk,
            "status": order.status,
            "total": money_number(order.total),
            "currency": order.currency,
            "created_at": order.created_at,
            "items": [
                {
                    "product_id": item.product_id,
                    "product_name": item.product.name,
                    "quantity": item.quantity,
                    "unit_price": money_number(item.unit_price),
                    "subtotal": money_number(item.subtotal),
                }
                for item in order.items.all()
            ],
        }
        for order in orders
    ]
    return rows, base.count()
