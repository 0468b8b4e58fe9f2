"""Score the stored reviews (``commerce.Review.sentiment*``) with the served model.

Idempotent: a review already scored by the served model version is not touched again, so the
command, the Celery task and the beat schedule can run as often as they like, on any number of
workers (each batch is claimed with ``select_for_update(skip_locked=True)`` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commerce.models import Review
from core.errors import ModelNotTrained

from .scoring import analyze_texts, scored_version, sentiment_backend

BATCH_SIZE = 200


def reviews_needing_score(*, version: str, rescore: bool = False) -> QuerySet[Review]:
    """Reviews with text that the model ``version`` has not scored yet (all with ``rescore``)."""
    qs = Review.objects.exclude(content__regex=r"^\s*$")
    if not rescore:
        qs = qs.filter(~Q(sentiment_model_version=version))
    return qs.order_by("pk")


def reviews_score(
    *,
    review_ids: list[int] | None = None,
    rescore: bool = False,
    limit: int | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int, int], None] | None = None,
) -> dict:
    """Score reviews not yet scored by the served model; returns ``{"scored", "model_version"}``.

    ``on_batch(done, total)`` reports progress (the command's progress bar, a job's heartbeat).
    """
    backend = sentiment_backend()
    if backend is None:
        raise ModelNotTrained(message="감정 분석 모델이 학습되지 않았습니다 (manage.py train_sentiment)")
    version = scored_version(backend)
    base = reviews_needing_score(version=version, rescore=rescore)
    if review_ids is not None:
        base = base.filter(pk__in=review_ids)
    total = base.count() if limit is None else min(base.count(), limit)
    done = 0
    last_pk = 0
    while done < total:
        with transaction.atomic():
            qs = base.filter(pk__gt=last_pk)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            batch = list(qs.only("pk", "content")[: min(batch_size, total - done)])
            if not batch:
                break
            results = analyze_texts([r.content for r in batch], backend=backend)
            now = timezone.now()
            for review, result in zip(batch, results, strict=True):
                review.sentiment = result["sentiment"]
                review.sentiment_scores = result["scores"]
                review.sentiment_aspects = result["aspects"]
                review.sentiment_model_version = version
                review.sentiment_scored_at = now
            Review.objects.bulk_update(
                batch,
                [
                    "sentiment",
                    "sentiment_scores",
                    "sentiment_aspects",
                    "sentiment_model_version",
                    "sentiment_scored_at",
                ],
            )
        done += len(batch)
        last_pk = batch[-1].pk
        if on_batch is not None:
            on_batch(done, total)
    return {"scored": done, "model_version": version}
