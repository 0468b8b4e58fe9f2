"""Recording attended sessions, redeeming one session from a package balance."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_log
from accounts.principal import Principal
from core.errors import ApiError, ValidationFailed
from customers.models import (
    Customer,
    PackageBalance,
    PackagePurchase,
    PurchaseStatus,
    Service,
    ServiceSession,
)
from customers.services.errors import CenterError
from customers.services.stats import customer_stats_refresh


def usable_purchases(*, customer: Customer, service: Service, on: dt.date) -> list[PackagePurchase]:
    """Active purchases of ``customer`` valid on ``on`` with a session of ``service`` left,
    the one expiring first first (that is the one redeemed when none is named)."""
    return list(
        PackagePurchase.objects.filter(
            customer=customer,
            status=PurchaseStatus.ACTIVE,
            purchase_date__lte=on,
            expiry_date__gte=on,
            balances__service=service,
            balances__used__lt=F("balances__total"),
        )
        .order_by("expiry_date", "id")
        .distinct()
    )


def _check_purchase(*, purchase: PackagePurchase, customer: Customer, service: Service, on: dt.date) -> None:
    """Refuse a redemption that breaks a rule (nothing has been written yet)."""
    if purchase.customer_id != customer.pk:
        raise ApiError(CenterError.PACKAGE_NOT_OWNED, "다른 고객의 패키지로는 이용을 기록할 수 없습니다", status=400)
    if purchase.status != PurchaseStatus.ACTIVE:
        raise ApiError(
            CenterError.PACKAGE_NOT_ACTIVE,
            f"{purchase.get_status_display()} 처리된 패키지는 사용할 수 없습니다",
            status=409,
            details={"status": purchase.status},
        )
    if on > purchase.expiry_date:
        raise ApiError(
            CenterError.PACKAGE_EXPIRED,
            f"패키지가 {purchase.expiry_date:%Y-%m-%d}에 만료되었습니다",
            status=400,
            details={"expiry_date": purchase.expiry_date.isoformat()},
        )
    if on < purchase.purchase_date:
        raise ApiError(
            CenterError.PACKAGE_NOT_STARTED,
            "패키지 구매일 이전의 이용은 패키지로 기록할 수 없습니다",
            status=400,
            details={"purchase_date": purchase.purchase_date.isoformat()},
        )


def session_backdate_limit(*, customer: Customer, today: dt.date | None = None) -> dt.date:
    """The earliest service date a session of ``customer`` may be recorded for: the later of
    the customer's registration day (or first recorded visit, when imported history is older)
    and ``SESSION_BACKDATE_DAYS`` (default 90) before today."""
    today = today or timezone.localdate()
    window = today - dt.timedelta(days=int(getattr(settings, "SESSION_BACKDATE_DAYS", 90)))
    registered = timezone.localdate(customer.created_at) if customer.created_at else window
    if customer.first_visit_date and customer.first_visit_date < registered:
        registered = customer.first_visit_date
    return max(window, registered)


def _check_service_date(*, customer: Customer, service_date: dt.date) -> None:
    if service_date > timezone.localdate():
        raise ApiError(
            CenterError.SESSION_DATE_IN_FUTURE, "아직 오지 않은 날짜의 이용은 기록할 수 없습니다", status=400
        )
    earliest = session_backdate_limit(customer=customer)
    if service_date < earliest:
        raise ApiError(
            CenterError.SESSION_DATE_TOO_OLD,
            f"{earliest:%Y-%m-%d} 이전 날짜의 이용은 기록할 수 없습니다 (고객 등록일 또는 기록 가능 기간 이전)",
            status=400,
            details={"earliest": earliest.isoformat(), "service_date": service_date.isoformat()},
        )


def _check_staff(*, actor: Principal, staff: object | None) -> None:
    """A STAFF user records sessions as themselves; MANAGER and above (and internal services)
    may name the staff member who attended the customer."""
    if staff is None or actor.kind != "user" or actor.has_role("MANAGER"):
        return
    if getattr(staff, "pk", None) != getattr(actor.user, "pk", None):
        raise ApiError(
            CenterError.STAFF_NOT_SELF,
            "직원은 본인이 진행한 이용만 기록할 수 있습니다",
            status=403,
            details={"staff": getattr(staff, "pk", None)},
        )


def session_record(
    *,
    actor: Principal,
    customer: Customer,
    service: Service,
    service_date: dt.date,
    start_time: dt.time | None = None,
    duration_minutes: int | None = None,
    satisfaction_rating: int | None = None,
    session_notes: str = "",
    staff: object | None = None,
    purchase: PackagePurchase | None = None,
    request: object | None = None,
    redeem: bool = True,
) -> ServiceSession:
    """Record one attended session and, when it is paid by a package, redeem one session of
    that service from the package balance — all in one transaction.

    ``purchase`` names the package to redeem from. When it is ``None`` (and ``redeem`` is
    true), the customer's usable purchase covering the service that expires first is used;
    with none, the session is recorded without a package (paid per visit). The redemption is a
    conditional ``UPDATE … SET used = used + 1 WHERE used < total`` under a lock on the
    purchase row, so two concurrent redemptions of the last session give exactly one success.
    Refusals raise :class:`core.errors.ApiError` and change nothing.

    The automatic choice of the package happens under a lock on the customer row, so
    concurrent recordings for one customer each see the balance the previous one left. The
    date must lie between :func:`session_backdate_limit` and today; a STAFF user may only
    name themselves as ``staff``.
    """
    if satisfaction_rating is not None and not 1 <= int(satisfaction_rating) <= 5:
        raise ValidationFailed(
            message="만족도는 1에서 5 사이여야 합니다", details={"satisfaction_rating": satisfaction_rating}
        )
    if duration_minutes is not None and int(duration_minutes) <= 0:
        raise ValidationFailed(
            message="소요 시간은 1분 이상이어야 합니다", details={"duration_minutes": duration_minutes}
        )
    _check_service_date(customer=customer, service_date=service_date)
    _check_staff(actor=actor, staff=staff)

    with transaction.atomic():
        # The customer row lock serialises recordings for one customer: the package is chosen
        # (and its balance taken) while no other recording for this customer can choose, so 20
        # concurrent requests redeem 20 sessions or fail, never fall back to "no package".
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        if purchase is None and redeem:
            candidates = usable_purchases(customer=customer, service=service, on=service_date)
            purchase = candidates[0] if candidates else None
        if purchase is not None:
            # Lock the purchase so a refund or an extension cannot interleave with the redemption.
            purchase = PackagePurchase.objects.select_for_update().get(pk=purchase.pk)
            _check_purchase(purchase=purchase, customer=customer, service=service, on=service_date)
            taken = PackageBalance.objects.filter(purchase=purchase, service=service, used__lt=F("total")).update(
                used=F("used") + 1
            )
            if taken == 0:
                if not PackageBalance.objects.filter(purchase=purchase, service=service).exists():
                    raise ApiError(
                        CenterError.SERVICE_NOT_IN_PACKAGE,
                        f"'{purchase.package.name}' 패키지에는 {service.name} 이용이 포함되어 있지 않습니다",
                        status=400,
                        details={"service": service.code},
                    )
                raise ApiError(
                    CenterError.NO_SESSIONS_LEFT,
                    f"'{purchase.package.name}' 패키지의 {service.name} 잔여 횟수가 없습니다",
                    status=409,
                    details={"service": service.code},
                )
        session = ServiceSession.objects.create(
            customer=customer,
            service=service,
            staff=staff,
            purchase=purchase,
            service_date=service_date,
            start_time=start_time,
            duration_minutes=duration_minutes or service.duration_minutes,
            satisfaction_rating=satisfaction_rating,
            session_notes=session_notes or "",
        )
        customer_stats_refresh(customer_ids=[customer.pk])
        audit_log(
            action="create",
            request=request,
            principal=actor,
            customer_ids=[customer.pk],
            query={
                "entity": "service_session",
                "session_id": session.pk,
                "service": service.code,
                "service_date": service_date.isoformat(),
                "purchase_id": purchase.pk if purchase else None,
            },
            status_code=201,
        )
    return session
