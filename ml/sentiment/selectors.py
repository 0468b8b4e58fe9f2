"""The read behind ``POST /api/v1/ml/sentiment/analyze``: texts or stored reviews → results."""

from __future__ import annotations

from accounts.audit import audit_log
from accounts.models import AuditLog
from commerce.models import Review
from core.errors import ApiError, ModelNotTrained, ValidationFailed
from ml.errors import MlErrorCode

from .scoring import analyze_texts, sentiment_backend


def sentiment_analyze(*, items: list[dict], request: object | None = None) -> list[dict]:
    """Score each ``{review_id?, text?}``: ``text`` wins; ``review_id`` alone reads the stored
    review (unknown → ``REVIEW_NOT_FOUND``, read audited for its author). Seed 000 §4.2 shape."""
    wanted = sorted({item["review_id"] for item in items if item.get("text") is None})
    stored: dict[int, tuple[str, int]] = {}
    if wanted:
        stored = {
            pk: (content, customer_id)
            for pk, content, customer_id in Review.objects.filter(pk__in=wanted).values_list(
                "pk", "content", "customer_id"
            )
        }
        missing = [pk for pk in wanted if pk not in stored]
        if missing:
            raise ApiError(
                MlErrorCode.REVIEW_NOT_FOUND,
                status=404,
                details={"review_id": missing if len(missing) > 1 else missing[0]},
            )
        empty = [pk for pk in wanted if not stored[pk][0].strip()]
        if empty:
            raise ValidationFailed(message="내용이 없는 리뷰는 분석할 수 없습니다", details={"review_id": empty})
    backend = sentiment_backend()  # after the look-ups: an unknown review is 404 with or without a model
    if backend is None:
        raise ModelNotTrained(message="감정 분석 모델이 학습되지 않았습니다")
    texts = [item["text"] if item.get("text") is not None else stored[item["review_id"]][0] for item in items]
    results = analyze_texts(texts, backend=backend)
    if stored:
        audit_log(
            action=AuditLog.Action.VIEW,
            request=request,
            customer_ids=sorted({customer_id for _, customer_id in stored.values()}),
            query={"entity": "review", "review_ids": wanted, "purpose": "sentiment"},
            status_code=200,
        )
    return [{"review_id": item.get("review_id"), **result} for item, result in zip(items, results, strict=True)]
