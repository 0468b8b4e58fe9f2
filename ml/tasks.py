"""Celery tasks of ml. ``ml.score_new_reviews`` runs on the beat schedule (every 5 minutes) and
can be sent after reviews are imported; it only scores reviews the served model has not."""

from __future__ import annotations

from celery import shared_task

from ml.registry import artifact_load_latest
from ml.sentiment.reviews import reviews_score
from ml.sentiment.scoring import ARTIFACT_NAME


@shared_task(name="ml.score_new_reviews", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def score_new_reviews(review_ids: list[int] | None = None) -> int:
    """Score new (or given) reviews; does nothing until a sentiment model is trained."""
    from django.conf import settings

    if not settings.SENTIMENT_MODEL_PATH and artifact_load_latest(ARTIFACT_NAME) is None:
        return 0
    return reviews_score(review_ids=review_ids)["scored"]
