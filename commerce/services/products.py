"""Products (and order removal): deactivation and deletion. Each writes a
:class:`commerce.models.DeletionLog` row in the same transaction, so that copies of the catalog
kept elsewhere (the search index of ``etl``) learn about rows that disappeared."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from commerce.models import DeletionLog, Order, Product
from core.errors import ValidationFailed

from .orders import shop_invalidate


def product_deactivate(*, actor: Principal, product: Product, request: object | None = None) -> Product:
    """Stop selling ``product`` (``is_active=False``), saving any other pending field changes
    of the instance too, and log it so that the search index drops it."""
    with transaction.atomic():
        was_active = Product.objects.filter(pk=product.pk).values_list("is_active", flat=True).first()
        product.is_active = False
        product.save()
        DeletionLog.objects.create(
            entity=DeletionLog.Entity.PRODUCT, object_id=product.pk, reason=DeletionLog.Reason.DEACTIVATED
        )
        audit_log(
            action=AuditLog.Action.UPDATE,
            request=request,
            principal=actor,
            query={"entity": "product", "product_id": product.pk, "is_active": {"old": was_active, "new": False}},
            status_code=200,
        )
        shop_invalidate()
    return product


def product_delete(*, actor: Principal, product: Product, request: object | None = None) -> None:
    """Delete ``product`` and log the deletion. A product that was ever ordered cannot be
    deleted (its order lines keep it): ``VALIDATION_ERROR`` — deactivate it instead."""
    product_id = product.pk
    try:
        with transaction.atomic():
            Product.objects.filter(pk=product_id).delete()
            DeletionLog.objects.create(
                entity=DeletionLog.Entity.PRODUCT, object_id=product_id, reason=DeletionLog.Reason.DELETED
            )
            audit_log(
                action=AuditLog.Action.DELETE,
                request=request,
                principal=actor,
                query={"entity": "product", "product_id": product_id, "name": product.name},
                status_code=200,
            )
    except ProtectedError as exc:
        raise ValidationFailed(
            message="주문 내역이 있는 상품은 삭제할 수 없습니다. 판매 중지로 바꾸세요",
            details={"product_id": product_id},
        ) from exc
    shop_invalidate()


def order_delete(*, actor: Principal, order: Order, request: object | None = None) -> None:
    """Delete ``order`` with its lines and log the deletion (its reviews keep no order link)."""
    order_id, buyer_id = order.pk, order.buyer_id
    with transaction.atomic():
        Order.objects.filter(pk=order_id).delete()
        DeletionLog.objects.create(
            entity=DeletionLog.Entity.ORDER, object_id=order_id, reason=DeletionLog.Reason.DELETED
        )
        audit_log(
            action=AuditLog.Action.DELETE,
            request=request,
            principal=actor,
            customer_ids=[buyer_id],
            query={"entity": "order", "order_id": order_id},
            status_code=200,
        )
    shop_invalidate(buyer_id)
