"""What the front desk reads first on a customer: every package with its remaining sessions,
expiry and D-day, the usable ones first; and the one-line summaries used in messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from customers.models import Customer, PackageBalance, PackagePurchase, PurchaseStatus

# how a purchase reads at the desk
STATE_ACTIVE = "active"
STATE_EXPIRED = "expired"
STATE_USED_UP = "used_up"
STATE_REFUNDED = "refunded"
STATE_CANCELLED = "cancelled"
STATE_NOT_STARTED = "not_started"
SOON_DAYS = 14
STATE_LABELS = {
    STATE_ACTIVE: "사용 중",
    STATE_NOT_STARTED: "시작 전",
    STATE_USED_UP: "모두 사용",
    STATE_EXPIRED: "만료",
    STATE_REFUNDED: "환불",
    STATE_CANCELLED: "취소",
}


def purchase_state(purchase: PackagePurchase, today: dt.date, remaining: int | None = None) -> str:
    """``active`` only when the desk can still redeem from it; otherwise why not."""
    if purchase.status == PurchaseStatus.REFUNDED:
        return STATE_REFUNDED
    if purchase.status == PurchaseStatus.CANCELLED:
        return STATE_CANCELLED
    if purchase.expiry_date < today:
        return STATE_EXPIRED
    if remaining == 0:
        return STATE_USED_UP
    if purchase.purchase_date > today:
        return STATE_NOT_STARTED
    return STATE_ACTIVE


def d_day(expiry: dt.date, today: dt.date) -> str:
    """``D-12`` (12 days left, expiry day included), ``D-day`` (last day), ``D+3`` (expired 3 days ago)."""
    days = (expiry - today).days
    if days == 0:
        return "D-day"
    return f"D-{days}" if days > 0 else f"D+{-days}"


def balances_text(purchase: PackagePurchase) -> str:
    """``브레인 피드백 7회 남음 (총 10회) · 레드라이트 5회 남음 (총 5회)`` — remaining first, in words,
    so nobody reads it as used/total (the API's ``usage`` strings are used/total)."""
    parts = [f"{b.service.name} {b.remaining}회 남음 (총 {b.total}회)" for b in purchase.balances.all()]
    return " · ".join(parts) or "-"


@dataclass
class PurchaseRow:
    purchase: PackagePurchase
    state: str
    state_label: str
    d_day: str
    remaining: int
    total: int
    balances: list[dict] = field(default_factory=list)
    today: dt.date = dt.date.min

    @property
    def usable(self) -> bool:
        return self.state == STATE_ACTIVE

    @property
    def soon(self) -> bool:
        """Usable and expiring within two weeks (call the customer!)."""
        return self.usable and (self.purchase.expiry_date - self.today).days <= SOON_DAYS


def customer_balances(*, customer: Customer | int, today: dt.date, limit: int = 30) -> list[PurchaseRow]:
    """The customer's purchases (newest ``limit``), usable ones first by expiry, then the rest
    newest first; each with its balances, state and D-day. Two queries."""
    customer_id = getattr(customer, "pk", customer)
    purchases = list(
        PackagePurchase.objects.filter(customer_id=customer_id)
        .select_related("package")
        .prefetch_related(Prefetch("balances", queryset=PackageBalance.objects.select_related("service")))
        .order_by("-purchase_date", "-id")[:limit]
    )
    rows = []
    for purchase in purchases:
        balances = list(purchase.balances.all())
        remaining = sum(b.remaining for b in balances)
        state = purchase_state(purchase, today, remaining)
        rows.append(
            PurchaseRow(
                purchase=purchase,
                state=state,
                state_label=STATE_LABELS[state],
                d_day=d_day(purchase.expiry_date, today),
                remaining=remaining,
                total=sum(b.total for b in balances),
                balances=[
                    {"service": b.service.name, "code": b.service.code, "remaining": b.remaining, "total": b.total}
                    for b in balances
                ],
                today=today,
            )
        )
    usable = sorted((r for r in rows if r.usable), key=lambda r: (r.purchase.expiry_date, r.purchase.pk))
    return usable + sorted(
        (r for r in rows if not r.usable), key=lambda r: (r.purchase.purchase_date, r.purchase.pk), reverse=True
    )


__all__ = ["PurchaseRow", "balances_text", "customer_balances", "d_day", "purchase_state"]
