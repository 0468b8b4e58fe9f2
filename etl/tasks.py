"""Scheduled syncs (Celery beat, ``CELERY_BEAT_SCHEDULE`` in settings): an incremental sync
of products every ``ETL_PRODUCTS_SYNC_SECONDS`` (5 minutes) and of orders every 15 minutes."""

from __future__ import annotations

import logging

from celery import shared_task

from core.errors import ApiError

from .errors import EtlErrorCode
from .services.sync import etl_sync_start

logger = logging.getLogger(__name__)


@shared_task(name="etl.sync_incremental", ignore_result=True)
def sync_incremental(entity: str = "products", mode: str = "incremental") -> str | None:
    """Start a sync on the job engine; a sync of the same pair still running is left alone."""
    try:
        run = etl_sync_start(actor=None, entity=entity, mode=mode)
    except ApiError as exc:
        if exc.code == EtlErrorCode.SYNC_IN_PROGRESS:
            logger.info("etl sync of %s skipped: one is running (%s)", entity, exc.details.get("job_id"))
            return None
        raise
    return run.code
