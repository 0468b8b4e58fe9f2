"""Benchmark subjects: customers on whom every customer endpoint answers 200 on valid data."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from customers.models import Customer, ServiceSession


def active_customer_ids(*, count: int, rng: random.Random) -> list[int]:
    """``count`` customer ids (repeating when the pool is smaller), sampled with ``rng``.

    The analytics of a period need two visit days in it (else 400 INSUFFICIENT_DATA), so every
    subject has two or more visit days in the last 90 days (and so in the last year), a visit
    in the last 3 weeks and 6+ visits. Returns ``[]`` when nobody qualifies.
    """
    today = timezone.localdate()
    active = (
        ServiceSession.objects.filter(service_date__gt=today - timedelta(days=90), service_date__lte=today)
        .values("customer_id")
        .annotate(days=Count("service_date", distinct=True))
        .filter(days__gte=2)
        .values("customer_id")
    )
    pool = sorted(
        Customer.objects.filter(
            pk__in=active, total_visits__gte=6, last_visit_date__gte=today - timedelta(days=21)
        ).values_list("id", flat=True)
    )
    if not pool:
        return []
    shuffled = rng.sample(pool, min(len(pool), count))
    return [shuffled[i % len(shuffled)] for i in range(count)]
