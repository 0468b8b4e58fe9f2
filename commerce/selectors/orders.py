"""Order read models used to check the invariants (``total`` = sum of subtotals)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from commerce.models import Order, OrderItem

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
