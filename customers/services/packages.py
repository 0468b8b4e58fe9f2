"""Selling packages, extending and cancelling them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from core.cache import invalidate
from core.errors import ApiError, ValidationFailed
from customers.errors import CenterError
from customers.models import Customer, Package, PackageBalance, PackagePurchase, PurchaseStatus
from customers.services.stats import customer_stats_refresh

MAX_EXTENSION_DAYS = 3650


def package_purchase_create(
    *,
    actor: Principal,
    customer: Customer,
    package: Package,
    purchase_date: dt.date,
    price_paid: Decimal | int | None = None,
    sold_by: object | None = None,
    request: object | None = None,
) -> PackagePurchase:
    """Sell ``package`` to ``customer``: one purchase, one balance row per package item
    (``used = 0``), expiry ``purchase_date + validity_days`` (inclusive). ``price_paid``
    defaults to the package price (a discount is a lower ``price_paid``)."""
    if not package.is_active:
        raise ApiError(CenterError.PACKAGE_NOT_FOR_SALE, f"'{package.name}' 패키지는 판매가 중지되었습니다", status=409)
    price = package.price if price_paid is None else Decimal(price_paid)
    if price < 0:
        raise ValidationFailed(message="결제 금액은 0원 이상이어야 합니다", details={"price_paid": str(price)})
    items = list(package.items.all())
    if not items:
        raise ValidationFailed(message=f"'{package.name}' 패키지에 구성된 서비스가 없습니다")
    with transaction.atomic():
        purchase = PackagePurchase.objects.create(
            customer=customer,
            package=package,
            purchase_date=purchase_date,
            expiry_date=purchase_date + dt.timedelta(days=package.validity_days),
            price_paid=price,
            sold_by=sold_by,
        )
        PackageBalance.objects.bulk_create(
            PackageBalance(purchase=purchase, service_id=item.service_id, total=item.sessions, used=0) for item in items
        )
        customer_stats_refresh(customer_ids=[customer.pk])
        audit_log(
            action=AuditLog.Action.CREATE,
            request=request,
            principal=actor,
            customer_ids=[customer.pk],
            query={
                "entity": "package_purchase",
                "purchase_id": purchase.pk,
                "package": package.name,
                "price_paid": str(price),
                "expiry_date": purchase.expiry_date.isoformat(),
            },
            status_code=201,
        )
    return purchase


def package_purchase_extend(
    *, actor: Principal, purchase: PackagePurchase, days: int, reason: str, request: object | None = None
) -> PackagePurchase:
    """Push the expiry of an active purchase back by ``days`` (1–3650), with a reason that
    the audit row keeps."""
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            message=f"연장 일수는 1일에서 {MAX_EXTENSION_DAYS}일 사이여야 합니다", details={"days": days}
        )
    if not (reason or "").strip():
        raise ValidationFailed(message="연장 사유를 입력하세요", details={"reason": reason})
    with transaction.atomic():
        locked = PackagePurchase.objects.select_for_update().get(pk=purchase.pk)
        if locked.status != PurchaseStatus.ACTIVE:
            raise ApiError(
                CenterError.PACKAGE_NOT_ACTIVE,
                f"{locked.get_status_display()} 처리된 패키지는 연장할 수 없습니다",
                status=409,
            )
        old_expiry = locked.expiry_date
        locked.expiry_date = old_expiry + dt.timedelta(days=days)
        locked.save(update_fields=["expiry_date"])
        customer_stats_refresh(customer_ids=[locked.customer_id])  # search columns hold the expiry
        audit_log(
            action=AuditLog.Action.UPDATE,
            request=request,
            principal=actor,
            customer_ids=[locked.customer_id],
            query={
                "entity": "package_purchase",
                "purchase_id": locked.pk,
                "expiry_date": {"old": old_expiry.isoformat(), "new": locked.expiry_date.isoformat()},
                "days": days,
                "reason": reason.strip()[:500],
            },
            status_code=200,
        )
        scope = f"customer:{locked.customer_id}"
        invalidate(scope)
        transaction.on_commit(lambda: invalidate(scope))
    purchase.expiry_date = locked.expiry_date
    return locked


def package_purchase_cancel(
    *,
    actor: Principal,
    purchase: PackagePurchase,
    reason: str,
    refund: bool = True,
    request: object | None = None,
) -> PackagePurchase:
    """Refund (``refund=True``) or cancel an active purchase: its remaining sessions can no
    longer be redeemed and its price leaves the customer's revenue. Sessions already taken stay."""
    if not (reason or "").strip():
        raise ValidationFailed(message="환불·취소 사유를 입력하세요", details={"reason": reason})
    with transaction.atomic():
        locked = PackagePurchase.objects.select_for_update().get(pk=purchase.pk)
        if locked.status != PurchaseStatus.ACTIVE:
            raise ApiError(
                CenterError.PACKAGE_NOT_ACTIVE, f"이미 {locked.get_status_display()} 처리된 패키지입니다", status=409
            )
        locked.status = PurchaseStatus.REFUNDED if refund else PurchaseStatus.CANCELLED
        locked.save(update_fields=["status"])
        customer_stats_refresh(customer_ids=[locked.customer_id])
        audit_log(
            action=AuditLog.Action.UPDATE,
            request=request,
            principal=actor,
            customer_ids=[locked.customer_id],
            query={
                "entity": "package_purchase",
                "purchase_id": locked.pk,
                "status": {"old": PurchaseStatus.ACTIVE, "new": locked.status},
                "reason": reason.strip()[:500],
            },
            status_code=200,
        )
    purchase.status = locked.status
    return locked
