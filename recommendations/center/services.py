"""Issuing recommendations: persist them so feedback can refer to a stable id."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from recommendations.models import IssuedRecommendation


def recommendation_id_for(*, customer_id: int, rec_type: str, item_key: str) -> str:
    """Stable id of a suggestion: the same customer, type and item always give the same id."""
    digest = hashlib.sha256(f"{customer_id}:{rec_type}:{item_key}".encode()).hexdigest()[:16]
    return f"rec_{digest}"


def _stored_payload(issued: dict) -> dict:
    """The copy kept in the database: the reason without the customer's health goals (the
    admin shows it to staff without ``view_health_info``, and it outlives anonymisation)."""
    payload = {k: v for k, v in issued.items() if not k.startswith("_")}
    if issued.get("_reason_public") is not None:
        payload["reason"] = issued["_reason_public"]
    return payload


def recommendations_issue(*, customer_id: int, recommendations: list[dict], model_version: str) -> list[dict]:
    """Upsert the recommendations (one statement) and return them with ``recommendation_id``
    placed after ``type`` as in seed 004."""
    now = timezone.now()
    out: list[dict] = []
    rows: list[IssuedRecommendation] = []
    for rec in recommendations:
        rid = recommendation_id_for(customer_id=customer_id, rec_type=rec["type"], item_key=rec["item_key"])
        issued = {"type": rec["type"], "recommendation_id": rid, **{k: v for k, v in rec.items() if k != "type"}}
        out.append(issued)
        rows.append(
            IssuedRecommendation(
                id=rid,
                customer_id=customer_id,
                rec_type=rec["type"],
                item_key=rec["item_key"],
                model_version=model_version,
                confidence_score=float(rec["confidence_score"]),
                payload=_stored_payload(issued),
                first_issued_at=now,
                last_issued_at=now,
            )
        )
    if rows:
        IssuedRecommendation.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["model_version", "confidence_score", "payload", "last_issued_at"],
        )
    return out
