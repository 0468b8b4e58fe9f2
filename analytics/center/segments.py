"""Customer segments (seed 004 §2.2) by RFM-style quintile scores against the center's peers.

Method (explainable, no black box):

1. Percentiles against every customer with at least one visit (``peers.peer_distribution``):
   recency (days since the last visit; fewer is better), frequency (visits per 30 days since
   the first visit), monetary (lifetime revenue), satisfaction (average rating).
2. Scores 1–5 per dimension: ``1 + floor(percentile / 20)`` capped at 5; recency is scored on
   ``100 − percentile`` so that a recent visit scores high.
3. Segments are rules on the scores plus service diversity (distinct services used) and
   tenure; every rule that holds is a segment, the first in :data:`PRIORITY` is the primary.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.utils import timezone

from core.errors import InsufficientData
from customers.models import ServiceSession
from customers.selectors.detail import customer_get

from .peers import figures_of, peer_distribution, percentile

PRIORITY = (
    "dormant",
    "at_risk",
    "new_customer",
    "health_enthusiast",
    "high_value",
    "regular_visitor",
    "satisfied_advocate",
)
FALLBACK = "occasional_visitor"
SEGMENT_LABELS = {
    "dormant": "휴면 고객 (90일 이상 미방문)",
    "at_risk": "이탈 위험 우수 고객",
    "new_customer": "신규 고객 (첫 방문 60일 이내)",
    "health_enthusiast": "건강 관리 열성 고객",
    "high_value": "고가치 고객",
    "regular_visitor": "정기 방문 고객",
    "satisfied_advocate": "높은 만족 고객",
    "occasional_visitor": "간헐적 방문 고객",
}
METHOD = (
    "RFM 5분위: 최근성·빈도(30일당 방문)·금액(누적 매출)의 고객 전체 대비 백분위를 1~5점으로 환산 "
    "(1 + ⌊백분위/20⌋, 최근성은 100−백분위), 이용 서비스 종류 수와 이용 기간을 더한 규칙으로 세그먼트 결정"
)


def score(pct: int | None) -> int:
    return 1 if pct is None else min(5, 1 + pct // 20)


def segment_rules(
    *, r: int, f: int, m: int, s: int | None, diversity: int, tenure_days: int, recency_days: int
) -> list[str]:
    """Every segment whose rule holds, in :data:`PRIORITY` order."""
    rules = {
        "dormant": recency_days > 90,
        "at_risk": r <= 2 and (f >= 3 or m >= 3) and recency_days <= 90,
        "new_customer": tenure_days <= 60,
        "health_enthusiast": f >= 4 and diversity >= 3,
        "high_value": m >= 4,
        "regular_visitor": f >= 3 and r >= 3,
        "satisfied_advocate": s is not None and s >= 4 and f >= 3,
    }
    return [name for name in PRIORITY if rules[name]]


def customer_segment(*, customer_id: int, today: date | None = None) -> dict:
    """Seed 004 §2.2 ``data``: primary/secondary segments, characteristics, peer percentiles."""
    today = today or timezone.localdate()
    customer = customer_get(customer_id=customer_id)
    if not customer.total_visits or customer.first_visit_date is None or customer.last_visit_date is None:
        raise InsufficientData(
            message="방문 기록이 없어 세그먼트를 계산할 수 없습니다",
            details={"total_visits": customer.total_visits, "required_visits": 1, "missing": ["visits"]},
        )
    fig = figures_of(customer, today)
    dist = peer_distribution(today)
    freq_pct = percentile(dist.get("visits_per_month", []), fig.visits_per_month)
    spend_pct = percentile(dist.get("revenue", []), fig.revenue)
    sat_pct = percentile(dist.get("satisfaction", []), fig.satisfaction)
    recency_pct = percentile(dist.get("recency_days", []), fig.recency_days)
    r = score(None if recency_pct is None else 100 - recency_pct)
    f, m = score(freq_pct), score(spend_pct)
    s = score(sat_pct) if sat_pct is not None else None
    diversity = (
        ServiceSession.objects.filter(customer_id=customer_id).aggregate(n=Count("service_id", distinct=True))["n"] or 0
    )
    tenure_days = (today - customer.first_visit_date).days
    recency_days = fig.recency_days or 0
    matched = segment_rules(r=r, f=f, m=m, s=s, diversity=diversity, tenure_days=tenure_days, recency_days=recency_days)
    primary = matched[0] if matched else FALLBACK
    if tenure_days >= 180 and r >= 3:
        loyalty = "strong"
    elif tenure_days >= 60 and r >= 2:
        loyalty = "moderate"
    else:
        loyalty = "weak"
    return {
        "primary_segment": primary,
        "secondary_segments": [name for name in matched if name != primary],
        "segment_labels": {name: SEGMENT_LABELS[name] for name in [primary, *matched]},
        "characteristics": {
            "visit_frequency": "high" if f >= 4 else "medium" if f == 3 else "low",
            "spending_level": "premium" if m >= 4 else "standard" if m >= 2 else "budget",
            "service_diversity": "high" if diversity >= 4 else "medium" if diversity >= 2 else "low",
            "loyalty_level": loyalty,
        },
        "peer_comparison": {
            "visit_frequency_percentile": freq_pct,
            "spending_percentile": spend_pct,
            "satisfaction_percentile": sat_pct,
            "recency_percentile": None if recency_pct is None else 100 - recency_pct,
        },
        "rfm_scores": {"recency": r, "frequency": f, "monetary": m, "satisfaction": s},
        "figures": {
            "visits_per_month": round(fig.visits_per_month, 2),
            "total_revenue": round(fig.revenue),
            "average_satisfaction": fig.satisfaction,
            "days_since_last_visit": recency_days,
            "services_used": diversity,
            "tenure_days": tenure_days,
        },
        "peer_count": dist.get("n", 0),
        "method": METHOD,
    }
