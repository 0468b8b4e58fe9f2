"""Creating and deleting customers (updates: ``customers.services.profile.customer_update``)."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from accounts.roles import Role
from core.cache import invalidate
from core.errors import ValidationFailed
from customers.models import Customer, CustomerPreference, CustomerStatus

# One list of the editable profile fields, shared by create (here) and update (profile.py).
PROFILE_FIELDS = (
    "name",
    "phone",
    "email",
    "birth_year",
    "gender",
    "address",
    "emergency_contact",
    "occupation",
    "membership_level",
    "customer_status",
    "health_goals",
    "preferred_time_slots",
    "assigned_staff",
)
# The shop identity is set once, when a customer is registered or imported.
CREATE_FIELDS = (*PROFILE_FIELDS, "external_id", "country")
PREFERENCE_FIELDS = (
    "preferred_services",
    "preferred_time",
    "preferred_intensity",
    "health_interests",
    "communication_preference",
    "marketing_consent",
)
ANONYMISED_NAME = "탈퇴 고객"


def _validation_error(exc: DjangoValidationError) -> ValidationFailed:
    details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return ValidationFailed(message="고객 정보가 올바르지 않습니다", details=details)


def customer_create(*, actor: Principal, data: dict[str, Any], request: object | None = None) -> Customer:
    """Register a customer from ``data`` (the fields of seed 004's detail; an optional
    ``preferences`` dict fills :class:`CustomerPreference`). Unknown keys and the derived
    figures are refused. The audit row lists the fields given, never their values."""
    data = dict(data)
    preferences = data.pop("preferences", None) or {}
    unknown = sorted(set(data) - set(CREATE_FIELDS)) + sorted(
        f"preferences.{k}" for k in set(preferences) - set(PREFERENCE_FIELDS)
    )
    if unknown:
        raise ValidationFailed(message="알 수 없는 항목이 있습니다", details={"unknown_fields": unknown})
    if data.get("membership_level") not in (None, "", "basic") and not actor.has_role(Role.ADMIN):
        from core.errors import ApiError
        from customers.errors import CenterError

        raise ApiError(
            CenterError.MEMBERSHIP_CHANGE_FORBIDDEN,
            "멤버십 등급은 관리자(ADMIN)만 정할 수 있습니다",
            status=403,
            details={"fields": {"membership_level": ["관리자만 변경할 수 있습니다"]}},
        )
    staff = data.pop("assigned_staff", None)
    customer = Customer(**data)
    if staff is not None:
        customer.assigned_staff_id = getattr(staff, "pk", staff)
    preference = CustomerPreference(customer=customer, **preferences) if preferences else None
    try:
        customer.full_clean()
        if preference is not None:
            preference.full_clean(exclude=["customer"])
    except DjangoValidationError as exc:
        raise _validation_error(exc) from exc
    with transaction.atomic():
        customer.save()
        if preference is not None:
            preference.customer = customer
            preference.save()
        audit_log(
            action=AuditLog.Action.CREATE,
            request=request,
            principal=actor,
            customer_ids=[customer.pk],
            query={
                "entity": "customer",
                "fields": sorted(set(data) | ({"assigned_staff"} if staff is not None else set())),
                "preferences": sorted(preferences),
            },
            status_code=201,
        )
    return customer


def customer_has_history(customer: Customer) -> bool:
    """Purchases, sessions (held or voided) or orders: what ``customer_delete`` keeps (and so
    anonymises) — every row that protects the customer from deletion."""
    return (
        customer.purchases.exists()
        or customer.sessions.exists()
        or customer.voided_sessions.exists()
        or customer.orders.exists()
    )


def customer_delete(
    *, actor: Principal, customer: Customer, request: object | None = None
) -> Literal["deleted", "anonymised"]:
    """Delete a customer.

    A customer with no purchases, sessions or orders is deleted with everything attached.
    One with a history is anonymised instead: transaction records must be kept (Korean
    e-commerce and tax law) but the person must not be identifiable (PIPA). Personal fields
    are blanked, health data (metrics, goals, session notes, preferences) is deleted, the
    status becomes inactive. Returns ``"deleted"`` or ``"anonymised"``.
    """
    customer_id = customer.pk
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer_id)
        if not customer_has_history(locked):
            locked.delete()
            outcome: Literal["deleted", "anonymised"] = "deleted"
        else:
            locked.name = ANONYMISED_NAME
            for field in ("phone", "email", "address", "emergency_contact", "occupation", "health_goals"):
                setattr(locked, field, "")
            locked.birth_year = None
            locked.gender = ""
            locked.preferred_time_slots = []
            locked.assigned_staff = None
            locked.customer_status = CustomerStatus.INACTIVE
            locked.save()
            locked.sessions.exclude(session_notes="").update(session_notes="")
            locked.health_metrics.all().delete()
            CustomerPreference.objects.filter(customer=locked).delete()
            locked.recommendation_feedback.all().delete()
            outcome = "anonymised"
        audit_log(
            action=AuditLog.Action.DELETE,
            request=request,
            principal=actor,
            customer_ids=[customer_id],
            query={"entity": "customer", "outcome": outcome},
            status_code=200,
        )
        scope = f"customer:{customer_id}"
        invalidate(scope, "shop")
        transaction.on_commit(lambda: invalidate(scope, "shop"))
    return outcome
