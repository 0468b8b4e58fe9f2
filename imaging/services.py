"""Writes of the imaging app: the product's image check and nutrition facts read from a label.
Each write is one transaction with its audit row."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from commerce.models import Product
from core.errors import ApiError, ValidationFailed
from imaging.ocr.parse import FIELDS
from imaging.selectors import image_validate

NUTRITION_KEYS = (*FIELDS, "serving_size")


@transaction.atomic
def product_image_check(*, product: Product, request: object) -> dict:
    """Check ``product.image_url`` with all checks; store verdict, score, date and result."""
    if not product.image_url:
        raise ValidationFailed(message="상품에 이미지 URL이 없습니다")
    try:
        result = image_validate(image_url=product.image_url)
        passed, score = bool(result["is_valid"]), float(result["quality_score"])
    except ApiError as exc:
        # the verdict is still recorded: a product whose image cannot be fetched is not OK
        result = {"error": {"code": str(exc.code), "message": exc.message, "details": exc.details}}
        passed, score = False, 0.0
    product.image_check_passed = passed
    product.image_check_score = score
    product.image_checked_at = timezone.now()
    product.image_check_result = result
    product.save(
        update_fields=[
            "image_check_passed",
            "image_check_score",
            "image_checked_at",
            "image_check_result",
            "updated_at",
        ]
    )
    audit_log(
        action=AuditLog.Action.UPDATE,
        request=request,
        query={
            "model": "commerce.Product",
            "object_id": product.pk,
            "changed_fields": ["image_check"],
            "passed": passed,
        },
        status_code=200,
    )
    return result


def _clean_number(name: str, value: object) -> float | int:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(details={"fields": {name: ["숫자여야 합니다"]}}) from exc
    if not number.is_finite() or number < 0 or number > 100000:
        raise ValidationFailed(details={"fields": {name: ["0 이상 100000 이하의 숫자여야 합니다"]}})
    return int(number) if number == number.to_integral_value() else float(number)


def nutrition_facts_clean(*, facts: dict) -> dict:
    """Known keys only, non-negative numbers (serving size: value, unit, basis)."""
    unknown = sorted(set(facts) - set(NUTRITION_KEYS))
    if unknown:
        raise ValidationFailed(details={"fields": {k: ["알 수 없는 항목입니다"] for k in unknown}})
    clean: dict = {}
    for name in FIELDS:
        if facts.get(name) not in (None, ""):
            clean[name] = _clean_number(name, facts[name])
    serving = facts.get("serving_size")
    if serving:
        if not isinstance(serving, dict) or "value" not in serving:
            raise ValidationFailed(details={"fields": {"serving_size": ["형식이 올바르지 않습니다"]}})
        clean["serving_size"] = {
            "value": _clean_number("serving_size", serving["value"]),
            "unit": "ml" if str(serving.get("unit", "g")).lower() == "ml" else "g",
            "basis": str(serving.get("basis", ""))[:20],
        }
    return clean


@transaction.atomic
def product_nutrition_apply(*, product: Product, facts: dict, request: object, source: str = "ocr") -> Product:
    """Save nutrition facts a staff member confirmed (after reading them from a label photo)."""
    clean = nutrition_facts_clean(facts=facts)
    product.nutrition_facts = clean
    product.save(update_fields=["nutrition_facts", "updated_at"])
    audit_log(
        action=AuditLog.Action.UPDATE,
        request=request,
        query={
            "model": "commerce.Product",
            "object_id": product.pk,
            "changed_fields": ["nutrition_facts"],
            "source": source,
        },
        status_code=302,
    )
    return product
