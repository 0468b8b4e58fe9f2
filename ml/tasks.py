"""Celery tasks of ml, both on the beat schedule (config/settings/base.py):

- ``ml.score_new_reviews`` (every 5 minutes, and sent after reviews are imported) only scores
  reviews the served sentiment model has not;
- ``ml.estimate_price_elasticity`` (nightly, ``price-elasticity-nightly``) re-estimates every
  product's price elasticity for the price optimiser.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from core.cache import cache_call
from ml.registry import artifact_load_latest
from ml.sentiment.reviews import reviews_score
from ml.sentiment.scoring import ARTIFACT_NAME

logger = logging.getLogger(__name__)

PRICE_LOCK_KEY = "lock:ml.estimate_price_elasticity"
PRICE_LOCK_SECONDS = 3 * 3600


@shared_task(name="ml.score_new_reviews", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def score_new_reviews(review_ids: list[int] | None = None) -> int:
    """Score new (or given) reviews; does nothing until a sentiment model is trained."""
    from django.conf import settings

    if not settings.SENTIMENT_MODEL_PATH and artifact_load_latest(ARTIFACT_NAME) is None:
        return 0
    return reviews_score(review_ids=review_ids)["scored"]


@shared_task(name="ml.estimate_price_elasticity", ignore_result=True)
def estimate_price_elasticity() -> int | None:
    """Estimate every product's elasticity and save the artifact; the artifact id, or ``None``
    when another worker holds the run or no product has enough data."""
    from ml.pricing.elasticity import NotEnoughData
    from ml.pricing.estimates import elasticity_train

    # One run at a time across workers (the lock lives in the shared cache); without a cache, run.
    if cache_call(lambda: cache.add(PRICE_LOCK_KEY, 1, PRICE_LOCK_SECONDS), True) is False:
        logger.info("price elasticity: another run holds the lock, skipping")
        return None
    try:
        _run, artifact_id = elasticity_train()
    except NotEnoughData as exc:
        logger.warning("price elasticity: %s", exc)
        return None
    finally:
        cache_call(lambda: cache.delete(PRICE_LOCK_KEY))
    return artifact_id
