"""Reviews, wishlists and cart events of shop customers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from commerce.errors import CommerceError
from commerce.models import CartEvent, CartEventType, Order, Product, Review, WishlistItem
from commerce.services.orders import shop_invalidate
from core.errors import ApiError, ValidationFailed
from customers.models import Customer


def review_create(
    *,
    actor: Principal,
    product: Product,
    customer: Customer,
    rating: int,
    content: str = "",
    order: Order | None = None,
    created_at: dt.datetime | None = None,
    request: object | None = None,
) -> Review:
    """A review with a rating 1–5. When ``order`` is given it must be the customer's and
    contain the product (a verified purchase)."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed(message="평점은 1에서 5 사이의 정수여야 합니다", details={"rating": rating})
    if order is not None:
        if order.buyer_id != customer.pk:
            raise ApiError(CommerceError.ORDER_NOT_OWNED, status=400)
        if not order.items.filter(product=product).exists():
            raise ApiError(CommerceError.PRODUCT_NOT_IN_ORDER, status=400)
    with transaction.atomic():
        review = Review.objects.create(
            product=product,
            customer=customer,
            order=order,
            rating=rating,
            content=content or "",
            created_at=created_at or timezone.now(),
        )
        audit_log(
            action=AuditLog.Action.CREATE,
            request=request,
            principal=actor,
            customer_ids=[customer.pk],
            query={"entity": "review", "review_id": review.pk, "product_id": product.pk, "rating": rating},
            status_code=201,
        )
        shop_invalidate(customer.pk)
    return review


def wishlist_add(
    *, actor: Principal, customer: Customer, product: Product, request: object | None = None
) -> tuple[WishlistItem, bool]:
    """Add ``product`` to the wishlist; idempotent. Returns ``(item, created)``."""
    with transaction.atomic():
        item, created = WishlistItem.objects.get_or_create(customer=customer, product=product)
        if created:
            audit_log(
                action=AuditLog.Action.CREATE,
                request=request,
                principal=actor,
                customer_ids=[customer.pk],
                query={"entity": "wishlist", "product_id": product.pk},
                status_code=201,
            )
            shop_invalidate(customer.pk)
    return item, created


def wishlist_remove(*, actor: Principal, customer: Customer, product: Product, request: object | None = None) -> bool:
    """Remove ``product`` from the wishlist. Returns whether it was there."""
    with transaction.atomic():
        deleted, _ = WishlistItem.objects.filter(customer=customer, product=product).delete()
        if deleted:
            audit_log(
                action=AuditLog.Action.DELETE,
                request=request,
                principal=actor,
                customer_ids=[customer.pk],
                query={"entity": "wishlist", "product_id": product.pk},
                status_code=200,
            )
            shop_invalidate(customer.pk)
    return bool(deleted)


def cart_event_record(
    *,
    actor: Principal,
    customer: Customer,
    cart_id: str,
    event: str,
    product: Product | None = None,
    quantity: int = 1,
    order: Order | None = None,
    occurred_at: dt.datetime | None = None,
    request: object | None = None,
) -> CartEvent:
    """Record a cart event (``added``/``removed`` need a product; ``checked_out`` may name
    the order it became). Carts with ``added`` and no ``checked_out`` count as abandoned."""
    if event not in CartEventType.values:
        raise ValidationFailed(message=f"알 수 없는 장바구니 이벤트입니다: {event}", details={"event": event})
    if event in (CartEventType.ADDED, CartEventType.REMOVED) and product is None:
        raise ValidationFailed(message="담기·빼기 이벤트에는 상품이 필요합니다", details={"product": None})
    if int(quantity) <= 0:
        raise ValidationFailed(message="수량은 1 이상이어야 합니다", details={"quantity": quantity})
    if not cart_id:
        raise ValidationFailed(message="장바구니 ID가 필요합니다", details={"cart_id": cart_id})
    with transaction.atomic():
        row = CartEvent.objects.create(
            customer=customer,
            cart_id=cart_id,
            event=event,
            product=product,
            quantity=int(quantity),
            order=order,
            occurred_at=occurred_at or timezone.now(),
        )
        audit_log(
            action=AuditLog.Action.CREATE,
            request=request,
            principal=actor,
            customer_ids=[customer.pk],
            query={"entity": "cart_event", "cart_id": cart_id, "event": event},
            status_code=201,
        )
        shop_invalidate(customer.pk)
    return row
