"""Read models of one customer: the detail view of seed 004 §1.1 and the plain lists
(sessions, orders) around it.

Everything here returns UNMASKED plain data; the API masks per caller on the way out
(``accounts.visibility``), so a cached result can serve every role.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from core.errors import ErrorCode, NotFoundError
from core.numbers import money_number
from customers.models import (
    Customer,
    PackageBalance,
    PackagePurchase,
    PurchaseStatus,
    ServiceSession,
)

DEFAULT_HISTORY_LIMIT = 20
MAX_HISTORY_LIMIT = 100


def membership_label(value: str) -> str:
    """The API spelling of a membership level: ``VIP`` / ``PREMIUM`` / ``BASIC`` (seed 004
    shows ``"VIP"``). Detail and search use the same spelling; filters accept any case."""
    return (value or "").upper()


def _staff_name(user: object | None) -> str | None:
    return str(user) if user is not None else None


def average_visit_interval(*, first: date | None, last: date | None, visits: int) -> int | None:
    """Mean days between visits: (last − first) / (visits − 1), rounded; ``None`` below two visits."""
    if first is None or last is None or visits < 2:
        return None
    return round((last - first).days / (visits - 1))


def customer_get(*, customer_id: int) -> Customer:
    """The customer or ``CUSTOMER_NOT_FOUND``."""
    customer = Customer.objects.select_related("assigned_staff").filter(pk=customer_id).first()
    if customer is None:
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND)
    return customer


def customer_section(customer: Customer) -> dict:
    """Seed 004 ``customer`` section (unmasked)."""
    return {
        "customer_id": customer.pk,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "birth_year": customer.birth_year,
        "gender": customer.gender or None,
        "address": customer.address,
        "emergency_contact": customer.emergency_contact,
        "occupation": customer.occupation,
        "membership_level": membership_label(customer.membership_level),
        "customer_status": customer.customer_status,
        "first_visit_date": customer.first_visit_date,
        "last_visit_date": customer.last_visit_date,
        "total_visits": customer.total_visits,
        "average_visit_interval": average_visit_interval(
            first=customer.first_visit_date, last=customer.last_visit_date, visits=customer.total_visits
        ),
        "total_revenue": money_number(customer.total_revenue),
        "average_satisfaction": money_number(customer.average_satisfaction),
        "risk_level": customer.risk_level,
        "health_goals": customer.health_goals,
        "preferred_time_slots": list(customer.preferred_time_slots or []),
        "assigned_staff": _staff_name(customer.assigned_staff),
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def session_row(session: ServiceSession) -> dict:
    """One ``serviceHistory`` entry (session_notes is health information)."""
    return {
        "session_id": session.pk,
        "service_date": session.service_date,
        "start_time": session.start_time.strftime("%H:%M") if session.start_time else None,
        "service_type": session.service.code,
        "service_name": session.service.name,
        "duration_minutes": session.duration_minutes,
        "satisfaction_rating": session.satisfaction_rating,
        "session_notes": session.session_notes,
        "staff_name": _staff_name(session.staff),
        "package_name": session.purchase.package.name if session.purchase_id else None,
    }


def sessions_page(*, customer_id: int, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """Newest first; ``(rows, total)`` in two queries."""
    base = ServiceSession.objects.filter(customer_id=customer_id)
    rows = list(
        base.select_related("service", "staff", "purchase__package").order_by("-service_date", "-start_time", "-id")[
            offset : offset + limit
        ]
    )
    return [session_row(s) for s in rows], base.count()


def active_packages(*, customer_id: int, today: date) -> list[dict]:
    """Purchases in use (status active, not expired), newest first, with the per-service
    breakdown. Two queries."""
    purchases = (
        PackagePurchase.objects.filter(customer_id=customer_id, status=PurchaseStatus.ACTIVE, expiry_date__gte=today)
        .select_related("package")
        .prefetch_related(
            Prefetch("balances", queryset=PackageBalance.objects.select_related("service").order_by("service_id"))
        )
        .order_by("-purchase_date", "-id")
    )
    out = []
    for purchase in purchases:
        balances = list(purchase.balances.all())
        total = sum(b.total for b in balances)
        used = sum(b.used for b in balances)
        out.append(
            {
                "package_usage_id": purchase.pk,
                "package_name": purchase.package.name,
                "purchase_date": purchase.purchase_date,
                "expiry_date": purchase.expiry_date,
                "total_sessions": total,
                "used_sessions": used,
                "remaining_sessions": total - used,
                "usage_rate": round(used / total * 100, 1) if total else 0.0,
                "days_remaining": (purchase.expiry_date - today).days,
                "service_breakdown": {
                    b.service.code: {"total": b.total, "used": b.used, "remaining": b.total - b.used} for b in balances
                },
            }
        )
    return out


def preferences_section(customer: Customer) -> dict:
    """Seed 004 ``preferences``; defaults when the customer has no preference row yet."""
    pref = getattr(customer, "preference", None)
    if pref is None:
        return {
            "preferred_services": [],
            "preferred_time": None,
            "preferred_intensity": None,
            "health_interests": [],
            "communication_preference": None,
            "marketing_consent": False,
        }
    return {
        "preferred_services": list(pref.preferred_services or []),
        "preferred_time": pref.preferred_time or None,
        "preferred_intensity": pref.preferred_intensity or None,
        "health_interests": list(pref.health_interests or []),
        "communication_preference": pref.communication_preference or None,
        "marketing_consent": pref.marketing_consent,
    }


def customer_detail(*, customer_id: int, history_limit: int = DEFAULT_HISTORY_LIMIT, today: date | None = None) -> dict:
    """Seed 004 §1.1 ``data`` (unmasked): customer, serviceHistory (newest first, capped at
    ``history_limit``, total in ``serviceHistoryTotal``), activePackages, preferences.

    Five queries whatever the history size."""
    today = today or timezone.localdate()
    customer = Customer.objects.select_related("assigned_staff", "preference").filter(pk=customer_id).first()
    if customer is None:
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND)
    history, total = sessions_page(customer_id=customer.pk, limit=history_limit)
    return {
        "customer": customer_section(customer),
        "serviceHistory": history,
        "serviceHistoryTotal": total,
        "serviceHistoryLimit": history_limit,
        "activePackages": active_packages(customer_id=customer.pk, today=today),
        "preferences": preferences_section(customer),
    }
