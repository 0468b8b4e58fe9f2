"""A small synthetic center history with a clear churn signal, built by the tests themselves.

Loyal customers visit regularly with good ratings until the end of the data; churners slow
down (growing gaps), rate lower, and stop on a random date. Dates are relative to ``end``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from customers.models import Customer, Service, ServiceSession
from customers.testing.factories import CustomerFactory, ServiceFactory


def build_center_history(*, n: int = 120, end: dt.date, days: int = 360, seed: int = 7) -> dict[str, list[int]]:
    """Create ``n`` customers and their sessions in (end − days, end]. Returns ids by kind."""
    rng = np.random.default_rng(seed)
    services = [ServiceFactory(code=c) for c in ("brain", "pulse", "lymph", "red", "ai_bike")]
    start = end - dt.timedelta(days=days)
    kinds: dict[str, list[int]] = {"loyal": [], "churner": []}
    rows: list[ServiceSession] = []
    for i in range(n):
        customer: Customer = CustomerFactory()
        churner = i % 2 == 1
        kinds["churner" if churner else "loyal"].append(customer.pk)
        gap = int(rng.integers(6, 15))
        day = start + dt.timedelta(days=int(rng.integers(0, 20)))
        stop = start + dt.timedelta(days=int(rng.integers(90, days))) if churner else end
        favourite: Service = services[i % len(services)]
        step = float(gap)
        while day <= min(stop, end):
            rating = int(rng.integers(4, 6)) if not churner else int(rng.integers(2, 4))
            rows.append(
                ServiceSession(
                    customer=customer,
                    service=favourite if rng.random() < 0.7 else services[int(rng.integers(0, 5))],
                    service_date=day,
                    start_time=dt.time(10 + (i % 8), 0),
                    duration_minutes=favourite.duration_minutes,
                    satisfaction_rating=rating,
                )
            )
            if churner and (stop - day).days < 60:
                step *= 1.5  # slowing down before leaving
            day += dt.timedelta(days=max(1, round(step + rng.normal(0, 1.5))))
    ServiceSession.objects.bulk_create(rows, batch_size=2000)
    return kinds
