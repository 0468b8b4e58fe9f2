"""Orders: creation with items (``total`` = sum of subtotals) and status changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from commerce.errors import CommerceError
from commerce.models import Currency, Order, OrderItem, OrderStatus, Product
from core.cache import invalidate
from core.errors import ApiError, ValidationFailed
from customers.models import Customer

CENT = Decimal("0.01")

# Allowed moves; DELIVERED and CANCELLED are final. Cancelling is possible until shipping.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.PREPARING, OrderStatus.CANCELLED}),
    OrderStatus.PREPARING: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def shop_invalidate(*customer_ids: int) -> None:
    """Invalidate shop-wide analytics and the given customers' results, now and after commit
    (a read between the write and the commit could otherwise re-cache the old result)."""
    scopes = ("shop", *(f"customer:{i}" for i in customer_ids))
    invalidate(*scopes)
    transaction.on_commit(lambda: invalidate(*scopes))


def order_create(
    *,
    actor: Principal,
    buyer: Customer,
    items: Sequence[tuple[Product, int, Decimal | int | str | None]],
    currency: str = Currency.KRW,
    created_at: dt.datetime | None = None,
    status: str = OrderStatus.PENDING,
    request: object | None = None,
) -> Order:
    """Create an order of ``items`` — ``(product, quantity, unit_price)``, ``unit_price`` in the
    order's ``currency`` (``None`` = the product's price) — with ``total`` equal to the sum of
    the subtotals. One currency per order: the items carry none of their own."""
    if currency not in Currency.values:
        raise ValidationFailed(message=f"지원하지 않는 통화입니다: {currency}", details={"currency": currency})
    if status not in OrderStatus.values:
        raise ValidationFailed(message=f"알 수 없는 주문 상태입니다: {status}", details={"status": status})
    if not items:
        raise ValidationFailed(message="주문 항목이 없습니다", details={"items": []})
    rows: list[OrderItem] = []
    for index, (product, quantity, unit_price) in enumerate(items):
        price = Decimal(str(product.price if unit_price is None else unit_price)).quantize(CENT, ROUND_HALF_UP)
        if int(quantity) <= 0:
            raise ValidationFailed(message="수량은 1 이상이어야 합니다", details={"item": index, "quantity": quantity})
        if price < 0:
            raise ValidationFailed(
                message="단가는 0 이상이어야 합니다", details={"item": index, "unit_price": str(price)}
            )
        rows.append(
            OrderItem(product=product, quantity=int(quantity), unit_price=price, subtotal=price * int(quantity))
        )
    with transaction.atomic():
        order = Order.objects.create(
            buyer=buyer,
            status=status,
            currency=currency,
            total=sum((r.subtotal for r in rows), Decimal("0")),
            created_at=created_at or timezone.now(),
        )
        for row in rows:
            row.order = order
        OrderItem.objects.bulk_create(rows)
        audit_log(
            action=AuditLog.Action.CREATE,
            request=request,
            principal=actor,
            customer_ids=[buyer.pk],
            query={
                "entity": "order",
                "order_id": order.pk,
                "items": len(rows),
                "total": str(order.total),
                "currency": currency,
                "status": status,
            },
            status_code=201,
        )
        shop_invalidate(buyer.pk)
    return order


def order_status_change(*, actor: Principal, order: Order, status: str, request: object | None = None) -> Order:
    """Move an order to ``status`` if :data:`TRANSITIONS` allows it (409 otherwise)."""
    if status not in OrderStatus.values:
        raise ValidationFailed(message=f"알 수 없는 주문 상태입니다: {status}", details={"status": status})
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if status not in TRANSITIONS[locked.status]:
            raise ApiError(
                CommerceError.INVALID_STATUS_TRANSITION,
                f"'{locked.get_status_display()}' 상태의 주문은 '{OrderStatus(status).label}'(으)로 바꿀 수 없습니다",
                status=409,
                details={"from": locked.status, "to": status, "allowed": sorted(TRANSITIONS[locked.status])},
            )
        old = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_log(
            action=AuditLog.Action.UPDATE,
            request=request,
            principal=actor,
            customer_ids=[locked.buyer_id],
            query={"entity": "order", "order_id": locked.pk, "status": {"old": old, "new": status}},
            status_code=200,
        )
        shop_invalidate(locked.buyer_id)
    order.status = locked.status
    return locked
