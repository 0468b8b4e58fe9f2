"""The distribution of the center's customers, for percentiles against peers.

Computing a percentile for one customer needs every customer's figure. Rather than scanning
100,000 rows per request, a quantile grid (1,001 points per metric, 0.1 % resolution) is built
from the denormalised customer columns once per hour, kept in the shared cache and memoised
per process. A customer's percentile is the share of peers below them, ties counted half
(mid-rank), read off the grid.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.utils import timezone

from core.cache import cached_result
from customers.models import Customer

GRID_POINTS = 1001
TTL = 3600
_lock = threading.Lock()
_memo: dict[str, tuple[float, dict]] = {}


@dataclass(frozen=True)
class PeerFigures:
    """A customer's figures as they enter the peer comparison."""

    visits_per_month: float
    revenue: float
    satisfaction: float | None
    recency_days: int | None


def visits_per_month(*, total_visits: int, first_visit: date | None, today: date) -> float:
    """Visits per 30 days since the first visit (tenure under a month counts as one month)."""
    if not total_visits or first_visit is None:
        return 0.0
    months = max((today - first_visit).days / 30.0, 1.0)
    return total_visits / months


def figures_of(customer: Customer, today: date) -> PeerFigures:
    return PeerFigures(
        visits_per_month=visits_per_month(
            total_visits=customer.total_visits, first_visit=customer.first_visit_date, today=today
        ),
        revenue=float(customer.total_revenue or 0),
        satisfaction=float(customer.average_satisfaction) if customer.average_satisfaction is not None else None,
        recency_days=(today - customer.last_visit_date).days if customer.last_visit_date else None,
    )


def _build(today: date) -> dict:
    rows = Customer.objects.filter(total_visits__gt=0).values_list(
        "total_visits", "first_visit_date", "last_visit_date", "total_revenue", "average_satisfaction"
    )
    visits, first, last, revenue, satisfaction = [], [], [], [], []
    for v, f, la, r, s in rows.iterator(chunk_size=20000):
        visits.append(v)
        first.append((today - f).days if f else 0)
        last.append((today - la).days if la else 0)
        revenue.append(float(r or 0))
        satisfaction.append(float(s) if s is not None else np.nan)
    if not visits:
        return {"n": 0}
    tenure_months = np.maximum(np.asarray(first, dtype=float) / 30.0, 1.0)
    freq = np.asarray(visits, dtype=float) / tenure_months
    sat = np.asarray(satisfaction, dtype=float)
    sat = sat[~np.isnan(sat)]
    q = np.linspace(0, 100, GRID_POINTS)
    return {
        "n": len(visits),
        "as_of": today.isoformat(),
        "visits_per_month": np.percentile(freq, q).tolist(),
        "revenue": np.percentile(np.asarray(revenue), q).tolist(),
        "satisfaction": np.percentile(sat, q).tolist() if sat.size else [],
        "recency_days": np.percentile(np.asarray(last, dtype=float), q).tolist(),
    }


def peer_distribution(today: date | None = None) -> dict:
    """The quantile grids of the center's customers with at least one visit."""
    today = today or timezone.localdate()
    key = today.isoformat()
    now = time.monotonic()
    with _lock:
        memo = _memo.get(key)
    if memo is not None and now - memo[0] < TTL:
        return memo[1]
    value, _ = cached_result(
        "center-peers", scopes=("customers",), params={"day": key}, ttl=TTL, compute=lambda: _build(today)
    )
    with _lock:
        _memo.clear()
        _memo[key] = (now, value)
    return value


def reset_peer_memo() -> None:
    """Forget the per-process copy (tests, after bulk loads)."""
    with _lock:
        _memo.clear()


def percentile(grid: list[float], value: float | None) -> int | None:
    """Mid-rank percentile of ``value`` on a quantile grid: 0–100."""
    if value is None or not grid:
        return None
    arr = np.asarray(grid)
    below = np.searchsorted(arr, value, side="left")
    upto = np.searchsorted(arr, value, side="right")
    return round(float(100 * ((below + upto) / 2) / len(arr)))
