"""Celery tasks of the ml app: the nightly price-elasticity estimate (beat entry
``price-elasticity-nightly`` in config/settings/base.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from core.cache import cache_call

logger = logging.getLogger(__name__)

LOCK_KEY = "lock:ml.estimate_price_elasticity"
LOCK_SECONDS = 3 * 3600


@shared_task(name="ml.estimate_price_elasticity", ignore_result=True)
def estimate_price_elasticity() -> int | None:
    """Estimate every product's elasticity and save the artifact; the artifact id, or ``None``
    when another worker holds the run or no product has enough data."""
    from ml.pricing.elasticity import NotEnoughData
    from ml.pricing.estimates import elasticity_train

    # One run at a time across workers (the lock lives in the shared cache); without a cache, run.
    if cache_call(lambda: cache.add(LOCK_KEY, 1, LOCK_SECONDS), True) is False:
        logger.info("price elasticity: another run holds the lock, skipping")
        return None
    try:
        _run, artifact_id = elasticity_train()
    except NotEnoughData as exc:
        logger.warning("price elasticity: %s", exc)
        return None
    finally:
        cache_call(lambda: cache.delete(LOCK_KEY))
    return artifact_id
