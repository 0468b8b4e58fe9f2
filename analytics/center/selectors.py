"""Analytics of one center customer (seed 004 §2.1): visitPattern, serviceUsage,
revenueContribution, healthMetrics, riskAssessment.

Every figure is computed from the customer's rows (a customer has at most a few hundred
sessions, fetched in one query) and the center-wide peer distribution. Results are unmasked;
``healthMetrics`` is redacted per caller by the view.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.utils import timezone

from core.errors import InsufficientData
from customers.models import (
    LOWER_IS_BETTER,
    FeedbackAction,
    HealthMetric,
    PackagePurchase,
    PurchaseStatus,
    RecommendationFeedback,
    ServiceSession,
)
from customers.selectors.detail import customer_get
from ml.churn_center import (
    MODEL_NAME,
    churn_contributions,
    churn_features,
    churn_probabilities,
    churn_risk_for,
    next_action_for,
    risk_factor_texts,
)
from ml.registry import artifact_load_latest

from .peers import peer_distribution, percentile

PERIODS = {"30d": 30, "90d": 90, "180d": 180, "1y": 365}
PERIOD_MONTHS = {"30d": 1, "90d": 3, "180d": 6, "1y": 12}
SECTIONS = ("visitPattern", "serviceUsage", "revenueContribution", "healthMetrics", "riskAssessment")
VISIT_SECTIONS = {"visitPattern", "serviceUsage"}
MIN_VISITS = 2
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_LIFETIME_MONTHS = 60
LTV_METHOD = (
    "누적 매출 + 월평균 매출(첫 방문 이후) × 기대 잔여 이용 개월 수. "
    "기대 잔여 개월 = 1 / 월 이탈확률 (이탈 모델의 horizon 확률을 30일 기준으로 환산, 최대 60개월)"
)
CONSISTENCY_FORMULA = "100 × (1 − 방문 간격의 변동계수(표준편차/평균)), 0~100으로 제한; 간격이 2개 미만이면 null"


def frequency_label(avg_interval: float) -> str:
    """Seed 004 ``visit_frequency`` from the mean days between visits."""
    if avg_interval <= 4.5:
        return "twice-weekly"
    if avg_interval <= 9:
        return "weekly"
    if avg_interval <= 18:
        return "bi-weekly"
    if avg_interval <= 40:
        return "monthly"
    return "occasional"


def consistency_score(intervals: list[int]) -> int | None:
    """100 × (1 − CV of the intervals), clipped to 0–100 (see CONSISTENCY_FORMULA)."""
    if len(intervals) < 2:
        return None
    mean = statistics.fmean(intervals)
    if mean <= 0:
        return None
    cv = statistics.pstdev(intervals) / mean
    return max(0, min(100, round(100 * (1 - cv))))


def _months(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _percent_change(current: float, previous: float) -> str:
    """ "+15%" / "-5%" / "0%"; "new" when there was nothing in the previous period."""
    if previous == 0:
        return "new" if current > 0 else "0%"
    change = round((current - previous) / previous * 100)
    return "0%" if change == 0 else f"{change:+d}%"


def _largest_remainder(counts: dict[str, int]) -> dict[str, int]:
    """Integer percentages that add up to exactly 100."""
    total = sum(counts.values())
    if not total:
        return {}
    raw = {k: v * 100 / total for k, v in counts.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: 100 - sum(out.values())]:
        out[k] += 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _time_bucket(hour: int) -> str:
    start = hour - hour % 2
    return f"{start:02d}:00-{start + 2:02d}:00"


def visit_pattern(*, sessions: list[tuple], start: date, today: date) -> dict:
    visit_dates = sorted({s[0] for s in sessions})
    intervals = [(b - a).days for a, b in itertools.pairwise(visit_dates)]
    avg = statistics.fmean(intervals)
    days = Counter(d.weekday() for d in visit_dates)
    top = max(days.values())
    preferred_days = [WEEKDAYS[d] for d, n in days.most_common() if n >= top / 2][:3]
    hours = Counter(_time_bucket(s[1].hour) for s in sessions if s[1] is not None)
    preferred_times: list[str] = []
    if hours:
        top_h = max(hours.values())
        preferred_times = [b for b, n in hours.most_common() if n >= top_h / 2][:2]
    per_month = Counter(f"{d.year:04d}-{d.month:02d}" for d in visit_dates)
    return {
        "average_interval_days": round(avg, 1),
        "visit_frequency": frequency_label(avg),
        "preferred_days": preferred_days,
        "preferred_times": preferred_times,
        "consistency_score": consistency_score(intervals),
        "consistency_formula": CONSISTENCY_FORMULA,
        "visits_in_period": len(visit_dates),
        "monthly_visits": [
            {"month": m, "visits": per_month.get(m, 0)} for m in _months(start + timedelta(days=1), today)
        ],
    }


def service_usage(*, current: list[tuple], previous: list[tuple]) -> dict:
    counts = Counter(s[2] for s in current)
    before = Counter(s[2] for s in previous)
    ratings: dict[str, list[int]] = defaultdict(list)
    for s in current:
        if s[3] is not None:
            ratings[s[2]].append(s[3])
    return {
        "most_used_service": counts.most_common(1)[0][0] if counts else None,
        "service_distribution": _largest_remainder(dict(counts)),
        "sessions_by_service": dict(counts.most_common()),
        "satisfaction_by_service": {k: round(statistics.fmean(v), 1) for k, v in sorted(ratings.items())},
        "growth_trend": {
            k: _percent_change(counts.get(k, 0), before.get(k, 0)) for k in sorted(set(counts) | set(before))
        },
    }


def _risk(*, customer_id: int, today: date) -> tuple[dict, float | None, int | None]:
    """``(riskAssessment, churn probability, horizon days)``; not-trained is said plainly."""
    loaded = artifact_load_latest(MODEL_NAME)
    empty = {
        "churn_risk": None,
        "churn_probability": None,
        "risk_factors": [],
        "retention_score": None,
        "next_action_recommendation": None,
    }
    if loaded is None:
        return (
            {
                **empty,
                "model_status": "not_trained",
                "message": "이탈 예측 모델이 아직 학습되지 않았습니다 (python manage.py train_center_churn 실행 필요)",
            },
            None,
            None,
        )
    features = churn_features(as_of=today, customer_ids=[customer_id], active_days=None)
    if features.empty:
        return ({**empty, "model_status": "no_history", "model_version": loaded.version}, None, None)
    p = float(churn_probabilities(loaded.model, features)[0])
    row = features.iloc[0]
    factors = risk_factor_texts(row, churn_contributions(loaded.model, features).iloc[0])
    section = {
        "churn_risk": churn_risk_for(p),
        "churn_probability": round(p * 100),
        "risk_factors": factors,
        "retention_score": round((1 - p) * 100),
        "next_action_recommendation": next_action_for(row, p, factors),
        "model_status": "trained",
        "model_version": loaded.version,
        "horizon_days": loaded.model["horizon_days"],
    }
    return section, p, int(loaded.model["horizon_days"])


def revenue_contribution(
    *,
    customer,
    purchases: list[tuple],
    start: date,
    today: date,
    period: str,
    churn_p: float | None,
    horizon: int | None,
) -> dict:
    in_period = [(d, float(v)) for d, v in purchases if d > start]
    total = sum(v for _, v in in_period)
    by_month: dict[str, float] = defaultdict(float)
    for d, v in in_period:
        by_month[f"{d.year:04d}-{d.month:02d}"] += v
    lifetime = sum(float(v) for _, v in purchases)
    first = min(
        [d for d, _ in purchases] + ([customer.first_visit_date] if customer.first_visit_date else []), default=None
    )
    ltv = None
    if churn_p is not None and horizon and first is not None:
        tenure_months = max((today - first).days / 30.0, 1.0)
        monthly_value = lifetime / tenure_months
        monthly_churn = 1 - (1 - min(max(churn_p, 1e-6), 1 - 1e-6)) ** (30 / horizon)
        remaining_months = min(1 / monthly_churn, MAX_LIFETIME_MONTHS)
        ltv = round(lifetime + monthly_value * remaining_months)
    dist = peer_distribution(today)
    return {
        "total_revenue": round(total),
        "average_monthly_revenue": round(total / PERIOD_MONTHS[period]),
        "revenue_trend": [
            {"month": m, "amount": round(by_month.get(m, 0))} for m in _months(start + timedelta(days=1), today)
        ],
        "lifetime_revenue": round(lifetime),
        "ltv_estimate": ltv,
        "ltv_method": LTV_METHOD,
        "revenue_percentile": percentile(dist.get("revenue", []), float(customer.total_revenue or 0)),
    }


def health_metrics(*, customer_id: int, start: date, today: date) -> dict:
    rows = list(
        HealthMetric.objects.filter(customer_id=customer_id, measured_on__lte=today)
        .order_by("metric", "measured_on", "id")
        .values_list("metric", "measured_on", "value")
    )
    by_metric: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for metric, on, value in rows:
        by_metric[metric].append((on, float(value)))
    improvements: dict[str, dict] = {}
    improved = 0
    for metric, series in by_metric.items():
        before_candidates = [v for d, v in series if d <= start]
        in_period = [v for d, v in series if d > start]
        if not in_period:
            continue
        before = before_candidates[-1] if before_candidates else (in_period[0] if len(in_period) > 1 else None)
        if before is None:
            continue
        after = in_period[-1]
        change = round((after - before) / before * 100) if before else None
        improvements[metric] = {"before": before, "after": after, "change": change}
        better = after < before if metric in LOWER_IS_BETTER else after > before
        improved += int(better)
    feedback = Counter(RecommendationFeedback.objects.filter(customer_id=customer_id).values_list("action", flat=True))
    answered = sum(feedback.values())
    followed = feedback.get(FeedbackAction.ACCEPTED, 0) + feedback.get(FeedbackAction.COMPLETED, 0)
    return {
        "reported_improvements": improvements,
        "goal_achievement_rate": round(100 * improved / len(improvements)) if improvements else None,
        "recommendation_compliance": round(100 * followed / answered) if answered else None,
    }


def customer_analytics(
    *, customer_id: int, period: str, metrics: tuple[str, ...] = SECTIONS, today: date | None = None
) -> dict:
    """The requested sections of seed 004 §2.1 for ``period`` (unmasked).

    ``INSUFFICIENT_DATA`` when visitPattern or serviceUsage is asked for and the customer has
    fewer than two visit days in the period (details say how many there are)."""
    today = today or timezone.localdate()
    customer = customer_get(customer_id=customer_id)
    days = PERIODS[period]
    start = today - timedelta(days=days)
    prev_start = start - timedelta(days=days)
    wanted = set(metrics)
    sessions = list(
        ServiceSession.objects.filter(customer_id=customer_id, service_date__gt=prev_start, service_date__lte=today)
        .order_by("service_date", "start_time")
        .values_list("service_date", "start_time", "service__code", "satisfaction_rating")
    )
    current = [s for s in sessions if s[0] > start]
    previous = [s for s in sessions if s[0] <= start]
    visit_days = len({s[0] for s in current})
    if wanted & VISIT_SECTIONS and visit_days < MIN_VISITS:
        raise InsufficientData(
            message=f"분석 기간({period}) 내 방문이 {visit_days}일뿐입니다. 최소 {MIN_VISITS}일의 방문이 필요합니다",
            details={
                "period": period,
                "visit_days_in_period": visit_days,
                "required_visit_days": MIN_VISITS,
                "missing": ["visits"],
                "sections": sorted(wanted & VISIT_SECTIONS),
            },
        )
    out: dict = {"period": period, "period_start": start + timedelta(days=1), "period_end": today}
    if "visitPattern" in wanted:
        out["visitPattern"] = visit_pattern(sessions=current, start=start, today=today)
    if "serviceUsage" in wanted:
        out["serviceUsage"] = service_usage(current=current, previous=previous)
    risk, churn_p, horizon = (None, None, None)
    if wanted & {"riskAssessment", "revenueContribution"}:
        risk, churn_p, horizon = _risk(customer_id=customer_id, today=today)
    if "revenueContribution" in wanted:
        purchases = list(
            PackagePurchase.objects.filter(customer_id=customer_id, purchase_date__lte=today)
            .exclude(status__in=[PurchaseStatus.CANCELLED, PurchaseStatus.REFUNDED])
            .values_list("purchase_date", "price_paid")
        )
        out["revenueContribution"] = revenue_contribution(
            customer=customer,
            purchases=purchases,
            start=start,
            today=today,
            period=period,
            churn_p=churn_p,
            horizon=horizon,
        )
    if "healthMetrics" in wanted:
        out["healthMetrics"] = health_metrics(customer_id=customer_id, start=start, today=today)
    if "riskAssessment" in wanted:
        out["riskAssessment"] = risk
    return out
