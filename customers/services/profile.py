"""Profile updates of a customer (seed 004 §1.2): one validated, audited transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts.audit import audit_log
from accounts.masking import PII_FIELDS, mask_value
from accounts.models import AuditLog
from accounts.principal import Principal
from accounts.roles import Role
from accounts.visibility import HEALTH_FIELDS
from core.cache import invalidate
from core.errors import ApiError, ValidationFailed
from customers.errors import CenterError
from customers.models import Customer, CustomerPreference
from customers.services.customers import PREFERENCE_FIELDS, PROFILE_FIELDS

# Fields an ADMIN may change through the API. The visit/revenue figures and risk_level are
# derived (customer_stats_refresh, the churn model) and never written here.
CUSTOMER_FIELDS = PROFILE_FIELDS
# Membership (basic/premium/vip) is a commercial decision: ADMIN only, in the API and the admin.
MEMBERSHIP_LEAST_ROLE = Role.ADMIN
HEALTH_REDACTED = "[건강정보]"


def _audit_value(field: str, value: Any) -> Any:
    """What the audit row shows of a new value: PII masked, health information redacted."""
    if field in HEALTH_FIELDS:
        return HEALTH_REDACTED
    if field in PII_FIELDS and isinstance(value, str):
        return mask_value(field, value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def customer_update(
    *, actor: Principal, customer: Customer, data: dict, request: object | None = None
) -> tuple[Customer, list[str]]:
    """Apply a partial update of the customer (and its ``preferences``) and return
    ``(customer, changed_fields)``.

    ``data`` holds customer fields and optionally ``preferences`` (a dict of preference
    fields), already type-checked by the API serializer; the model's own validation runs
    here too. On any error nothing is saved (``VALIDATION_ERROR`` with per-field details).
    One audit row lists the changed fields with masked values; the customer's cached
    results are invalidated after commit.
    """
    unknown = sorted(set(data) - set(CUSTOMER_FIELDS) - {"preferences"})
    if unknown:
        raise ValidationFailed(details={"fields": {name: ["변경할 수 없는 항목입니다"] for name in unknown}})
    pref_data = data.get("preferences") or {}
    unknown = sorted(set(pref_data) - set(PREFERENCE_FIELDS))
    if unknown:
        raise ValidationFailed(
            details={"fields": {f"preferences.{name}": ["변경할 수 없는 항목입니다"] for name in unknown}}
        )

    changes_membership = "membership_level" in data and data["membership_level"] != customer.membership_level
    if changes_membership and not actor.has_role(MEMBERSHIP_LEAST_ROLE):
        raise ApiError(
            CenterError.MEMBERSHIP_CHANGE_FORBIDDEN,
            status=403,
            details={"fields": {"membership_level": ["관리자만 변경할 수 있습니다"]}},
        )
    changed: dict[str, Any] = {}
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        for name in CUSTOMER_FIELDS:
            if name not in data:
                continue
            attr = "assigned_staff" if name == "assigned_staff" else name
            value = data[name]
            if getattr(locked, attr) != value:
                setattr(locked, attr, value)
                changed[name] = value
        try:
            locked.full_clean(exclude=[f.name for f in Customer._meta.fields if f.name not in changed])
        except DjangoValidationError as exc:
            raise ValidationFailed(details={"fields": exc.message_dict}) from exc

        pref_changed: dict[str, Any] = {}
        if pref_data:
            pref, _ = CustomerPreference.objects.select_for_update().get_or_create(customer=locked)
            for name, value in pref_data.items():
                if getattr(pref, name) != value:
                    setattr(pref, name, value)
                    pref_changed[name] = value
            if pref_changed:
                try:
                    pref.full_clean(exclude=["customer"])
                except DjangoValidationError as exc:
                    raise ValidationFailed(
                        details={"fields": {f"preferences.{k}": v for k, v in exc.message_dict.items()}}
                    ) from exc
                pref.save()
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
        elif pref_changed:
            locked.save(update_fields=["updated_at"])

        all_changed = {**changed, **{f"preferences.{k}": v for k, v in pref_changed.items()}}
        audit_log(
            action=AuditLog.Action.UPDATE,
            request=request,
            principal=actor,
            customer_ids=[locked.pk],
            query={
                "changed_fields": sorted(all_changed),
                "values": {k: _audit_value(k.removeprefix("preferences."), v) for k, v in all_changed.items()},
            },
            status_code=200,
        )
        if all_changed:
            transaction.on_commit(lambda: invalidate(f"customer:{locked.pk}"))
    return locked, sorted(all_changed)
