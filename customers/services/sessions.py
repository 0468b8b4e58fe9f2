"""Recording attended sessions, redeeming one session from a package balance."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from accounts.roles import Role
from core.cache import invalidate
from core.errors import ApiError, ValidationFailed
from customers.errors import CenterError
from customers.models import (
    Customer,
    PackageBalance,
    PackagePurchase,
    PurchaseStatus,
    Service,
    ServiceSession,
    VoidedSession,
)
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
        raise ApiError(CenterError.SESSION_DATE_IN_FUTURE, status=400)
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
    if staff is None or actor.kind != "user" or actor.has_role(Role.MANAGER):
        return
    if getattr(staff, "pk", None) != getattr(actor.user, "pk", None):
        raise ApiError(
            CenterError.STAFF_NOT_SELF,
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
    if not redeem and purchase is not None:
        raise ValidationFailed(
            message="'패키지 차감 없이 기록'과 사용 패키지를 함께 고를 수 없습니다. 둘 중 하나만 선택하세요",
            details={"fields": {"purchase": ["차감 없이 기록할 때는 패키지를 비워 두세요"]}},
        )

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
            action=AuditLog.Action.CREATE,
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


CORRECTABLE_FIELDS = ("service_date", "start_time", "duration_minutes", "satisfaction_rating", "session_notes", "staff")
CORRECTION_LEAST_ROLE = Role.MANAGER


def _require_corrector(actor: Principal, what: str) -> None:
    if not actor.has_role(CORRECTION_LEAST_ROLE):
        raise ApiError(
            CenterError.SESSION_CORRECTION_FORBIDDEN,
            f"이용 기록 {what}는 매니저 이상만 할 수 있습니다",
            status=403,
        )


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(message=f"{what} 사유를 입력하세요", details={"fields": {"reason": ["필수 항목입니다"]}})
    return reason[:500]


def session_void(
    *, actor: Principal, session: ServiceSession, reason: str, request: object | None = None
) -> VoidedSession:
    """Void a session recorded by mistake (MANAGER and above, with a reason).

    In one transaction: the package session it redeemed is given back (``used − 1`` on the
    locked purchase, whatever the purchase's status or expiry now), the session row is removed
    (so visits, statistics and analytics no longer count it) and a :class:`VoidedSession` row
    keeps what it was; one audit row (``delete``) names the session, the balance and the reason.
    """
    _require_corrector(actor, "취소")
    reason = _require_reason(reason, "취소")
    with transaction.atomic():
        locked = ServiceSession.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None:
            raise ApiError(CenterError.SESSION_NOT_FOUND, status=404)
        restored = None
        if locked.purchase_id is not None:
            PackagePurchase.objects.select_for_update().get(pk=locked.purchase_id)
            balance = PackageBalance.objects.filter(purchase_id=locked.purchase_id, service_id=locked.service_id)
            if balance.filter(used__gt=0).update(used=F("used") - 1):
                restored = balance.values("used", "total").first()
        user = getattr(actor, "user", None)
        voided = VoidedSession.objects.create(
            original_session_id=locked.pk,
            customer_id=locked.customer_id,
            service_id=locked.service_id,
            purchase_id=locked.purchase_id,
            service_date=locked.service_date,
            start_time=locked.start_time,
            recorded_by_id=locked.staff_id,
            recorded_at=locked.created_at,
            reason=reason,
            voided_by=user if getattr(user, "pk", None) else None,
            voided_by_name=actor.name[:150],
        )
        session_id = locked.pk
        locked.delete()
        customer_stats_refresh(customer_ids=[voided.customer_id])
        audit_log(
            action=AuditLog.Action.DELETE,
            request=request,
            principal=actor,
            customer_ids=[voided.customer_id],
            query={
                "entity": "service_session",
                "session_id": session_id,
                "voided_id": voided.pk,
                "service": voided.service.code,
                "service_date": voided.service_date.isoformat(),
                "purchase_id": voided.purchase_id,
                "balance_after": restored,
                "reason": reason,
            },
            status_code=200,
        )
        scope = f"customer:{voided.customer_id}"
        transaction.on_commit(lambda: invalidate(scope))
    return voided


def session_correct(
    *, actor: Principal, session: ServiceSession, data: dict, reason: str, request: object | None = None
) -> tuple[ServiceSession, list[str]]:
    """Correct what was typed wrong in a recorded session (MANAGER and above, with a reason):
    date, start time, duration, satisfaction, notes, staff. The package redemption is not moved
    here — a session on the wrong package or service is voided (:func:`session_void`, which gives
    the session back) and recorded again. Returns ``(session, changed_fields)``; one audit row
    with the old and new values (notes redacted)."""
    _require_corrector(actor, "정정")
    reason = _require_reason(reason, "정정")
    unknown = sorted(set(data) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationFailed(details={"fields": {name: ["정정할 수 없는 항목입니다"] for name in unknown}})
    if data.get("service_date") and data["service_date"] > timezone.localdate():
        raise ApiError(CenterError.SESSION_DATE_IN_FUTURE, status=400)
    rating = data.get("satisfaction_rating")
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ValidationFailed(message="만족도는 1에서 5 사이여야 합니다", details={"satisfaction_rating": rating})
    if "duration_minutes" in data and (data["duration_minutes"] is None or int(data["duration_minutes"]) <= 0):
        raise ValidationFailed(message="소요 시간은 1분 이상이어야 합니다")
    with transaction.atomic():
        locked = ServiceSession.objects.select_for_update().get(pk=session.pk)
        if "service_date" in data and locked.purchase_id is not None:
            purchase = PackagePurchase.objects.get(pk=locked.purchase_id)
            if not purchase.purchase_date <= data["service_date"] <= purchase.expiry_date:
                raise ApiError(
                    CenterError.PACKAGE_EXPIRED,
                    f"사용한 패키지의 유효 기간({purchase.purchase_date:%Y-%m-%d}~{purchase.expiry_date:%Y-%m-%d}) 밖의 "
                    "날짜입니다. 취소 후 다시 기록하세요",
                    status=400,
                )
        changes: dict[str, dict] = {}
        for name, value in data.items():
            old = getattr(locked, name)
            if old != value:
                setattr(locked, name, value)
                shown = (lambda v: "[건강정보]") if name == "session_notes" else (lambda v: getattr(v, "pk", v))
                changes[name] = {"old": _plain(shown(old)), "new": _plain(shown(value))}
        if changes:
            locked.save(update_fields=list(changes))
            customer_stats_refresh(customer_ids=[locked.customer_id])
            audit_log(
                action=AuditLog.Action.UPDATE,
                request=request,
                principal=actor,
                customer_ids=[locked.customer_id],
                query={"entity": "service_session", "session_id": locked.pk, "changes": changes, "reason": reason},
                fields_health=["session_notes"] if "session_notes" in changes else [],
                status_code=200,
            )
            scope = f"customer:{locked.customer_id}"
            transaction.on_commit(lambda: invalidate(scope))
    return locked, sorted(changes)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date | dt.time) else value
