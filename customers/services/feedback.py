"""Feedback on a recommendation (seed 004 §3.2)."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from core.cache import invalidate
from core.errors import ValidationFailed
from customers.models import Customer, FeedbackAction, RecommendationFeedback

MAX_COMMENT = 1000


def recommendation_feedback_record(
    *,
    actor: Principal,
    customer: Customer,
    recommendation_id: str,
    item_type: str,
    item_key: str,
    action: str,
    feedback_score: int | None = None,
    comment: str = "",
    request: object | None = None,
) -> RecommendationFeedback:
    """Store a staff member's or customer's answer to an issued recommendation.

    The caller (the recommendations app) has already checked that ``recommendation_id`` was
    issued to this customer and passes what it recommended (``item_type``/``item_key``), so
    later recommendations can honour the answer (a rejected item is not offered again for a
    while). Writes one audit row and invalidates the customer's cached results.
    """
    errors: dict[str, list[str]] = {}
    if action not in FeedbackAction.values:
        errors["action"] = [f"허용 값: {', '.join(FeedbackAction.values)}"]
    if feedback_score is not None and not (1 <= int(feedback_score) <= 5):
        errors["feedback_score"] = ["1에서 5 사이의 정수여야 합니다"]
    if comment and len(comment) > MAX_COMMENT:
        errors["comment"] = [f"{MAX_COMMENT}자 이하로 입력하세요"]
    if errors:
        raise ValidationFailed(details={"fields": errors})
    user = actor.user if actor.kind == "user" else None
    with transaction.atomic():
        row = RecommendationFeedback.objects.create(
            customer=customer,
            recommendation_id=recommendation_id,
            item_type=item_type,
            item_key=item_key,
            action=action,
            feedback_score=feedback_score,
            comment=comment or "",
            created_by=user,
        )
        audit_log(
            action=AuditLog.Action.CREATE,
            request=request,
            principal=actor,
            customer_ids=[customer.pk],
            query={"recommendation_feedback": row.pk, "recommendation_id": recommendation_id, "action": action},
            status_code=201,
        )
        transaction.on_commit(lambda: invalidate(f"customer:{customer.pk}"))
    return row
