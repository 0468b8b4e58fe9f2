"""Personalised recommendations for a center customer (seed 004 §3.1): services, a package
and a weekly schedule. Everything is derived from the customer's history, the catalog and
the item model (``similarity``); nothing is canned.

Service score (for services the customer has not used and has not rejected recently)::

    predicted = customer mean + Σ sim(s, j)·(r_j − customer mean) / Σ |sim(s, j)|   (j used, sim > 0)
    confidence = 0.5 · (predicted − 1) / 4 + 0.3 · goal_fit + 0.2 · support

``goal_fit``: share of the service's goal tags found in the customer's health goals and
interests (up to two tags); ``support``: co-users / (co-users + 50), the evidence behind the
similarity. Package: the catalog package whose composition is closest (cosine) to the
customer's recent usage, price and savings from catalog prices. Schedule: the customer's
favourite weekdays and hours, their most used services and the services' durations.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils import timezone

from customers.models import Customer, FeedbackAction, Package, RecommendationFeedback, Service, ServiceSession
from customers.selectors.detail import customer_get

from .similarity import item_similarity, model_version

TYPES = ("service", "package", "schedule")
REJECT_COOLDOWN_DAYS = 30
DEFER_COOLDOWN_DAYS = 7
USAGE_WINDOW_DAYS = 90
SCHEDULE_WINDOW_DAYS = 180
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_KO = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")
# words that say how, not what: "스트레스 관리" is about 스트레스
GENERIC_WORDS = {"관리", "개선", "향상", "완화", "증진", "강화", "케어"}
FACTORS = ["service_history", "satisfaction_ratings", "health_goals", "peer_patterns", "recent_usage", "feedback"]


@dataclass
class History:
    customer: Customer
    sessions: list[tuple[date, time | None, str, int | None]]  # newest first
    goals_text: str
    today: date

    def used_codes(self) -> set[str]:
        return {s[2] for s in self.sessions}

    def ratings(self) -> dict[str, float]:
        by: dict[str, list[int]] = {}
        for s in self.sessions:
            if s[3] is not None:
                by.setdefault(s[2], []).append(s[3])
        return {k: statistics.fmean(v) for k, v in by.items()}

    def recent(self, days: int) -> list[tuple]:
        since = self.today - timedelta(days=days)
        return [s for s in self.sessions if s[0] > since]


def part_of_day(t: time | None) -> str:
    if t is None:
        return "오전"
    return "오전" if t.hour < 12 else "오후" if t.hour < 18 else "저녁"


def goal_keywords(tag: str) -> list[str]:
    return [w for w in re.split(r"[\s,/·]+", tag) if len(w) >= 2 and w not in GENERIC_WORDS]


def goal_matches(service: Service, goals_text: str) -> list[str]:
    """The service's goal tags that appear in the customer's goals/interests."""
    if not goals_text:
        return []
    return [tag for tag in service.goal_tags or [] if any(k in goals_text for k in goal_keywords(tag))]


def _load_history(customer_id: int, today: date, *, use_health: bool = True) -> History:
    customer = customer_get(customer_id=customer_id)
    if not use_health:
        # health goals and interests are health information: without them the scores, the
        # ranking and the schedule's extra service carry no trace of them
        return History(customer=customer, sessions=_sessions_of(customer_id, today), goals_text="", today=today)
    try:
        interests = " ".join(customer.preference.health_interests or [])
    except Customer.preference.RelatedObjectDoesNotExist:
        interests = ""
    return History(
        customer=customer,
        sessions=_sessions_of(customer_id, today),
        goals_text=f"{customer.health_goals} {interests}".strip(),
        today=today,
    )


def _sessions_of(customer_id: int, today: date) -> list[tuple[date, time | None, str, int | None]]:
    return list(
        ServiceSession.objects.filter(customer_id=customer_id, service_date__lte=today)
        .order_by("-service_date", "-start_time")
        .values_list("service_date", "start_time", "service__code", "satisfaction_rating")[:500]
    )


def blocked_items(customer_id: int, today: date) -> set[tuple[str, str]]:
    """(type, key) the customer rejected in the last 30 days or deferred in the last 7."""
    since = timezone.now() - timedelta(days=REJECT_COOLDOWN_DAYS)
    rows = RecommendationFeedback.objects.filter(
        customer_id=customer_id,
        action__in=[FeedbackAction.REJECTED, FeedbackAction.DEFERRED],
        created_at__gte=since,
    ).values_list("item_type", "item_key", "action", "created_at")
    defer_since = timezone.now() - timedelta(days=DEFER_COOLDOWN_DAYS)
    return {(t, k) for t, k, action, at in rows if action == FeedbackAction.REJECTED or at >= defer_since}


def _weeks_covered(sessions: list[tuple], today: date, window: int) -> float:
    """Weeks from the first of ``sessions`` to today, at most ``window`` days: a customer who
    started three weeks ago is not averaged over three months."""
    if not sessions:
        return window / 7
    span = min(window, (today - min(s[0] for s in sessions)).days + 1)
    return max(span, 7) / 7


def _weekly_rate(history: History) -> float:
    recent = history.recent(USAGE_WINDOW_DAYS)
    return len(recent) / _weeks_covered(recent, history.today, USAGE_WINDOW_DAYS)


def _best_times(history: History, limit: int = 2) -> list[str]:
    counts = Counter((s[0].weekday(), part_of_day(s[1])) for s in history.recent(SCHEDULE_WINDOW_DAYS))
    return [f"{WEEKDAYS_KO[d]} {p}" for (d, p), _ in counts.most_common(limit)]


def service_recommendations(
    *, history: History, services: dict[str, Service], blocked: set, model: dict, count: int
) -> list[dict]:
    codes = model.get("codes", [])
    index = {c: i for i, c in enumerate(codes)}
    ratings = history.ratings()
    mean_u = statistics.fmean(ratings.values()) if ratings else None
    used = history.used_codes()
    top_used = (
        max(ratings, key=lambda c: (sum(1 for s in history.sessions if s[2] == c), ratings[c])) if ratings else None
    )
    weekly = _weekly_rate(history)
    out = []
    for code, service in services.items():
        if code in used or ("service", code) in blocked:
            continue
        peer_rating, co = None, 0
        predicted = model.get("mean_rating", {}).get(code)
        if mean_u is not None and code in index:
            i = index[code]
            num = den = 0.0
            for j_code, r in ratings.items():
                if j_code not in index:
                    continue
                sim = model["sim"][i][index[j_code]]
                if sim > 0:
                    num += sim * (r - mean_u)
                    den += abs(sim)
            if den > 0:
                predicted = mean_u + num / den
            if top_used in index:
                co = model["co_users"][index[top_used]][i]
                peer_rating = model["co_rating"][index[top_used]][i]
        if predicted is None:
            predicted = 3.0
        predicted = min(5.0, max(1.0, predicted))
        matched = goal_matches(service, history.goals_text)
        goal_fit = min(len(matched) / 2, 1.0)
        support = (
            co / (co + 50)
            if co
            else (model.get("users", {}).get(code, 0) / (model.get("users", {}).get(code, 0) + 200))
        )
        confidence = round(0.5 * (predicted - 1) / 4 + 0.3 * goal_fit + 0.2 * support, 3)
        peer_text = (
            f"{services[top_used].name} 이용 고객 {co}명의 평균 만족도 {peer_rating:.1f}점"
            if top_used in services and peer_rating is not None and co
            else f"전체 이용 고객 평균 만족도 {model.get('mean_rating', {}).get(code, predicted):.1f}점"
        )
        reason_public = f"미이용 서비스 중 비슷한 고객의 만족도가 높음 ({peer_text})"
        reason = (
            f"미이용 서비스 중 건강 목표({', '.join(matched)})와 부합하고 {peer_text}" if matched else reason_public
        )
        per_week = max(1, min(3, round(weekly / 2) or 1))
        out.append(
            {
                "type": "service",
                "item_key": code,
                "service_type": code,
                "service_name": service.name,
                "confidence_score": confidence,
                "reason": reason,
                "_reason_public": reason_public,
                "expected_benefit": service.expected_benefit or service.description,
                "predicted_satisfaction": round(predicted, 2),
                "suggested_schedule": {
                    "frequency": f"주 {per_week}회",
                    "duration": f"{service.duration_minutes}분",
                    "best_times": _best_times(history) or ["평일 오전"],
                },
            }
        )
    out.sort(key=lambda r: -r["confidence_score"])
    return out[:count]


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    keys = set(a) | set(b)
    dot = sum(a.get(k, 0) * b.get(k, 0) for k in keys)
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def package_recommendation(*, history: History, services: dict[str, Service], blocked: set) -> dict | None:
    window = USAGE_WINDOW_DAYS
    usage = Counter(s[2] for s in history.recent(window))
    if not usage:
        window = None
        usage = Counter(s[2] for s in history.sessions)
    if not usage:
        return None
    ratings = history.ratings()
    # usage weighted by how much the customer liked each service: more of what satisfies
    weights = {k: n * (ratings.get(k, 3.0) / 5) for k, n in usage.items()}
    best = None
    for package in Package.objects.filter(is_active=True).prefetch_related("items__service"):
        if ("package", str(package.pk)) in blocked:
            continue
        items = {i.service.code: i.sessions for i in package.items.all()}
        if not items:
            continue
        fit = _cosine(weights, {k: float(v) for k, v in items.items()})
        coverage = sum(n for k, n in usage.items() if k in items) / sum(usage.values())
        score = 0.8 * fit + 0.2 * coverage
        if best is None or score > best[0]:
            best = (score, package, items, fit, coverage)
    if best is None:
        return None
    score, package, items, fit, coverage = best
    list_value = sum(float(services[k].price) * n if k in services else 0 for k, n in items.items())
    price = float(package.price)
    monthly = sum(usage.values()) / ((window or max((history.today - history.sessions[-1][0]).days, 30)) / 30)
    total_sessions = sum(items.values())
    return {
        "type": "package",
        "item_key": str(package.pk),
        "package_id": package.pk,
        "package_name": package.name,
        "confidence_score": round(score, 3),
        "reason": "현재 이용 패턴에 최적화된 구성" if fit >= 0.8 else "현재 이용 서비스 중심의 구성",
        "package_details": {
            **dict(sorted(items.items(), key=lambda kv: -kv[1])),
            "total_sessions": total_sessions,
            "price": round(price),
            "list_price": round(list_value),
            "savings": round(list_value - price),
            "validity_days": package.validity_days,
        },
        "personalization": {
            "based_on": f"최근 {window}일 이용 패턴 (세션 {sum(usage.values())}회)"
            if window
            else f"전체 이용 이력 (세션 {sum(usage.values())}회)",
            "optimization": "만족도 가중 이용 비율과 패키지 구성의 코사인 유사도 최대화",
            "usage_fit": round(fit, 3),
            "coverage": round(coverage, 3),
            "estimated_months_to_use": round(total_sessions / monthly, 1) if monthly else None,
        },
    }


def schedule_recommendation(
    *, history: History, services: dict[str, Service], extra_service: str | None, blocked: set
) -> dict | None:
    recent = history.recent(SCHEDULE_WINDOW_DAYS) or history.sessions
    if not recent:
        return None
    per_week = max(1, min(4, round(len(recent) / _weeks_covered(recent, history.today, SCHEDULE_WINDOW_DAYS)) or 1))
    day_counts = Counter(s[0].weekday() for s in recent)
    days = [d for d, _ in day_counts.most_common(per_week)]
    for filler in (0, 2, 4, 1, 3, 5, 6):  # spread the missing days over the week
        if len(days) >= per_week:
            break
        if filler not in days:
            days.append(filler)
    days.sort()
    hours_by_day: dict[int, Counter] = {}
    for s in recent:
        if s[1] is not None:
            hours_by_day.setdefault(s[0].weekday(), Counter())[s[1].hour] += 1
    all_hours = Counter(h for c in hours_by_day.values() for h in c.elements())
    default_hour = all_hours.most_common(1)[0][0] if all_hours else 10
    ranked = [c for c, _ in Counter(s[2] for s in recent).most_common() if c in services]
    rotation = ranked + ([extra_service] if extra_service and extra_service not in ranked else [])
    if not rotation:
        return None
    key = "-".join(f"{d}{rotation[i % len(rotation)]}" for i, d in enumerate(days))
    if ("schedule", key) in blocked:
        return None
    plan = []
    for i, d in enumerate(days):
        code = rotation[i % len(rotation)]
        hour = hours_by_day.get(d, Counter()).most_common(1)[0][0] if hours_by_day.get(d) else default_hour
        if day_counts.get(d):
            reason = f"{WEEKDAYS_KO[d]} 방문 {day_counts[d]}회로 자주 오시는 요일"
        else:
            reason = "방문 간격을 고르게 하기 위한 요일"
        if code == extra_service and code not in ranked:
            reason += ", 추천 서비스 체험"
        plan.append(
            {
                "day": WEEKDAYS[d],
                "time": f"{hour:02d}:00",
                "service": code,
                "duration": services[code].duration_minutes,
                "reason": reason,
            }
        )
    covered = sum(day_counts.get(d, 0) for d in days) / len(recent)
    return {
        "type": "schedule",
        "item_key": key,
        "schedule_name": "주간 최적 스케줄",
        "confidence_score": round(covered, 3),
        "reason": f"최근 이용 {len(recent)}회의 요일·시간대 패턴 기반 주 {per_week}회 일정",
        "weekly_plan": plan,
    }


def customer_recommendations(
    *, customer_id: int, rec_type: str | None, count: int, today: date | None = None, use_health: bool = True
) -> dict:
    """Unissued recommendations (no ids yet) and metadata; ``services.recommendations_issue``
    persists them and adds the stable ids.

    ``use_health=False`` leaves the customer's health goals and interests out entirely (for a
    caller without ``view_health_info``): the goal fit moves confidence and rank, and the
    services' goal tags are public, so masking the reason alone would not hide them."""
    today = today or timezone.localdate()
    history = _load_history(customer_id, today, use_health=use_health)
    services = {s.code: s for s in Service.objects.filter(is_active=True)}
    blocked = blocked_items(customer_id, today)
    model = item_similarity()
    recs: list[dict] = []
    service_recs: list[dict] = []
    if rec_type in (None, "service"):
        service_recs = service_recommendations(
            history=history, services=services, blocked=blocked, model=model, count=count
        )
        recs.extend(service_recs)
    if rec_type in (None, "package"):
        package = package_recommendation(history=history, services=services, blocked=blocked)
        if package:
            recs.append(package)
    if rec_type in (None, "schedule"):
        extra = service_recs[0]["service_type"] if service_recs else None
        if rec_type == "schedule":
            top = service_recommendations(history=history, services=services, blocked=blocked, model=model, count=1)
            extra = top[0]["service_type"] if top else None
        schedule = schedule_recommendation(history=history, services=services, extra_service=extra, blocked=blocked)
        if schedule:
            recs.append(schedule)
    return {
        "recommendations": recs,
        "recommendation_metadata": {
            "generated_at": timezone.now().replace(microsecond=0),
            "model_version": model_version(model),
            "factors_considered": FACTORS,
            "peer_customers": model.get("n_customers", 0),
            "history_sessions": len(history.sessions),
            "excluded_by_feedback": sorted(f"{t}:{k}" for t, k in blocked),
        },
    }
