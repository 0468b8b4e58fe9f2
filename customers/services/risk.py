"""Writes of the churn model's risk level (``customers.Customer.risk_level``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from customers.models import Customer, RiskLevel

BATCH = 5000


def customer_risk_levels_write(*, levels: dict[int, str], scored_at: datetime | None = None) -> int:
    """Set ``risk_level`` and ``risk_scored_at`` for many customers at once.

    One UPDATE per level and batch of ids (a few statements for 100,000 customers), all in
    one transaction. Returns the number of rows updated. Cached detail views may show the
    previous level until their 5-minute TTL runs out (invalidating 100,000 scopes one by one
    would cost more than the staleness).
    """
    scored_at = scored_at or timezone.now()
    by_level: dict[str, list[int]] = defaultdict(list)
    for customer_id, level in levels.items():
        if level not in RiskLevel.values:
            raise ValueError(f"unknown risk level {level!r}")
        by_level[level].append(int(customer_id))
    updated = 0
    with transaction.atomic():
        for level, ids in by_level.items():
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                updated += Customer.objects.filter(pk__in=chunk).update(risk_level=level, risk_scored_at=scored_at)
    return updated
