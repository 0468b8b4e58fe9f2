"""One buyer's behaviour (seed 000 §2.2), aggregated in the database.

Definitions (also in docs/analytics-api.md):

- purchase_history counts non-cancelled orders in every currency; ``total_spent`` and
  ``average_order_value`` are in one currency (``currency``: the shop's ``SHOP_CURRENCY`` or
  the one asked for), the other currencies are listed in ``other_currencies``.
  purchase_frequency: orders in the last 90 days ≥ 3 → high, 1–2 → medium, 0 → low.
- favorite_categories: categories by the number of distinct non-cancelled orders containing
  them (top 5).
- browsing_patterns: average_session_duration = mean over sessions of the summed page
  durations (seconds); search_keywords = the 5 most frequent searches.
- cart_abandonment_rate = carts with an ``added`` event and no ``checked_out`` / carts with
  an ``added`` event × 100.
- last_activity_days = whole days since the latest order, page view, search, cart event or
  review.
- behavior_score (0–100) = 100 × (0.35·recency + 0.30·frequency + 0.15·engagement +
  0.20·retention), where recency = max(0, 1 − days since last order / 180),
  frequency = min(1, orders in the last 365 days / 12),
  engagement = min(1, (reviews + wishlist items + sessions in the last 90 days) / 10) and
  retention = 1 − churn probability (recency when no model is trained).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import Coalesce, Lower, Trim

from commerce.currency import shop_currency
from commerce.models import (
    CartEvent,
    CartEventType,
    Order,
    OrderItem,
    OrderStatus,
    PageView,
    Review,
    SearchQuery,
    WishlistItem,
)
from core.errors import ErrorCode, NotFoundError
from customers.models import Customer
from ml.churn_shop import shop_churn_predict

FAVORITES = 5
KEYWORDS = 5
WEIGHTS = {"recency": 0.35, "frequency": 0.30, "engagement": 0.15, "retention": 0.20}
NO_MODEL_MESSAGE = "이탈 예측 모델이 아직 학습되지 않았습니다 (manage.py train_shop_churn)"


def _days_since(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, (now - then).days)


def _purchase_history(customer_id: int, now: datetime, currency: str) -> dict:
    orders = Order.objects.filter(buyer_id=customer_id).exclude(status=OrderStatus.CANCELLED)
    agg = orders.aggregate(
        total_orders=Count("id"),
        primary_orders=Count("id", filter=Q(currency=currency)),
        spent=Coalesce(Sum("total", filter=Q(currency=currency)), Decimal("0")),
        last=Max("created_at"),
        last_90=Count("id", filter=Q(created_at__gte=now - timedelta(days=90))),
        last_365=Count("id", filter=Q(created_at__gte=now - timedelta(days=365))),
    )
    others = (
        orders.exclude(currency=currency)
        .order_by("currency")
        .values("currency")
        .annotate(orders=Count("id"), total=Sum("total"))
    )
    frequency = "high" if agg["last_90"] >= 3 else "medium" if agg["last_90"] >= 1 else "low"
    spent = float(agg["spent"])
    return {
        "total_orders": agg["total_orders"],
        "total_spent": round(spent, 2),
        "currency": currency,
        "average_order_value": round(spent / agg["primary_orders"], 2) if agg["primary_orders"] else 0.0,
        "last_purchase_date": agg["last"].isoformat().replace("+00:00", "Z") if agg["last"] else None,
        "purchase_frequency": frequency,
        "orders_last_90_days": agg["last_90"],
        "orders_last_365_days": agg["last_365"],
        "other_currencies": [
            {"currency": row["currency"], "orders": row["orders"], "total": round(float(row["total"]), 2)}
            for row in others
        ],
        "_last": agg["last"],
    }


def _favorite_categories(customer_id: int) -> list[dict]:
    rows = (
        OrderItem.objects.filter(order__buyer_id=customer_id)
        .exclude(order__status=OrderStatus.CANCELLED)
        .order_by()
        .values("product__category_id", "product__category__name")
        .annotate(purchase_count=Count("order_id", distinct=True), units=Sum("quantity"))
        .order_by("-purchase_count", "-units", "product__category_id")[:FAVORITES]
    )
    return [
        {
            "category_id": row["product__category_id"],
            "category_name": row["product__category__name"],
            "purchase_count": row["purchase_count"],
        }
        for row in rows
    ]


def _browsing(customer_id: int, now: datetime) -> dict:
    views = PageView.objects.filter(customer_id=customer_id)
    top = (
        views.annotate(cat=Coalesce("category__name", "product__category__name"))
        .exclude(cat__isnull=True)
        .order_by()
        .values("cat")
        .annotate(n=Count("id"))
        .order_by("-n", "cat")
        .first()
    )
    # the mean of the per-session sums equals all seconds / the number of sessions
    session_stats = views.aggregate(n=Count("session_id", distinct=True), seconds=Sum("duration_seconds"))
    keywords = (
        SearchQuery.objects.filter(customer_id=customer_id)
        .annotate(q=Lower(Trim("query")))
        .order_by()
        .values("q")
        .annotate(n=Count("id"), last=Max("searched_at"))
        .order_by("-n", "-last", "q")[:KEYWORDS]
    )
    n_sessions = session_stats["n"] or 0
    return {
        "most_viewed_category": top["cat"] if top else None,
        "average_session_duration": round((session_stats["seconds"] or 0) / n_sessions) if n_sessions else 0,
        "total_page_views": views.count(),
        "total_sessions": n_sessions,
        "sessions_last_90_days": views.filter(viewed_at__gte=now - timedelta(days=90))
        .values("session_id")
        .distinct()
        .count(),
        "search_keywords": [row["q"] for row in keywords],
    }


def _engagement(customer_id: int) -> dict:
    reviews = Review.objects.filter(customer_id=customer_id).aggregate(n=Count("id"), avg=Avg("rating"))
    added = CartEvent.objects.filter(customer_id=customer_id, event=CartEventType.ADDED)
    checked_out = CartEvent.objects.filter(customer_id=customer_id, event=CartEventType.CHECKED_OUT).values("cart_id")
    carts = added.values("cart_id").distinct().count()
    abandoned = added.exclude(cart_id__in=checked_out).values("cart_id").distinct().count()
    return {
        "reviews_written": reviews["n"],
        "average_rating_given": round(float(reviews["avg"]), 2) if reviews["avg"] is not None else None,
        "wishlist_items": WishlistItem.objects.filter(customer_id=customer_id).count(),
        "cart_abandonment_rate": round(abandoned / carts * 100, 2) if carts else 0.0,
        "carts": carts,
        "abandoned_carts": abandoned,
    }


def _last_activity(customer_id: int) -> datetime | None:
    candidates = [
        Order.objects.filter(buyer_id=customer_id).aggregate(t=Max("created_at"))["t"],
        PageView.objects.filter(customer_id=customer_id).aggregate(t=Max("viewed_at"))["t"],
        SearchQuery.objects.filter(customer_id=customer_id).aggregate(t=Max("searched_at"))["t"],
        CartEvent.objects.filter(customer_id=customer_id).aggregate(t=Max("occurred_at"))["t"],
        Review.objects.filter(customer_id=customer_id).aggregate(t=Max("created_at"))["t"],
    ]
    present = [t for t in candidates if t is not None]
    return max(present) if present else None


def behavior_score(
    *, days_since_order: int | None, orders_365: int, engagement_units: int, churn_probability: float | None
) -> dict:
    """The stated formula (module docstring) with its components, so the number can be explained."""
    recency = max(0.0, 1 - days_since_order / 180) if days_since_order is not None else 0.0
    frequency = min(1.0, orders_365 / 12)
    engagement = min(1.0, engagement_units / 10)
    retention = 1 - churn_probability if churn_probability is not None else recency
    parts = {"recency": recency, "frequency": frequency, "engagement": engagement, "retention": retention}
    score = 100 * sum(WEIGHTS[k] * v for k, v in parts.items())
    return {"score": round(score, 2), "components": {k: round(v, 4) for k, v in parts.items()}}


def _next_actions(*, favorites: list[dict], churn: dict, engagement: dict, history: dict) -> list[dict]:
    actions: list[dict] = []
    risk = churn.get("risk_level")
    if favorites:
        actions.append(
            {
                "action": "recommend_products",
                "category": favorites[0]["category_name"],
                "priority": "high" if risk in (None, "low") else "medium",
                "reason": f"가장 많이 구매한 카테고리({favorites[0]['category_name']}, {favorites[0]['purchase_count']}회 주문)",
            }
        )
    if risk == "high":
        actions.append(
            {
                "action": "send_promotion",
                "discount_percentage": 15,
                "priority": "high",
                "reason": f"이탈 확률 {churn['probability']:.0%}로 높음",
            }
        )
    elif risk == "medium":
        actions.append(
            {
                "action": "send_promotion",
                "discount_percentage": 10,
                "priority": "medium",
                "reason": f"이탈 확률 {churn['probability']:.0%}로 보통",
            }
        )
    if engagement["abandoned_carts"] > 0 and engagement["cart_abandonment_rate"] >= 50:
        actions.append(
            {
                "action": "remind_cart",
                "priority": "medium",
                "reason": f"장바구니 이탈률 {engagement['cart_abandonment_rate']:.1f}% (미결제 {engagement['abandoned_carts']}건)",
            }
        )
    if history["total_orders"] > 0 and engagement["reviews_written"] == 0:
        actions.append(
            {"action": "request_review", "priority": "low", "reason": "구매 이력은 있으나 작성한 리뷰가 없음"}
        )
    if history["total_orders"] == 0:
        actions.append({"action": "send_welcome_coupon", "priority": "medium", "reason": "아직 구매 이력이 없음"})
    return actions


def user_behavior(*, customer_id: int, now: datetime, currency: str | None = None) -> dict:
    """Seed 000 §2.2 for one customer, money in ``currency`` (default ``SHOP_CURRENCY``).
    Raises ``CUSTOMER_NOT_FOUND`` for an unknown id."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND)
    history = _purchase_history(customer_id, now, currency or shop_currency())
    last_order = history.pop("_last")
    favorites = _favorite_categories(customer_id)
    browsing = _browsing(customer_id, now)
    engagement = _engagement(customer_id)
    last_activity = _last_activity(customer_id)

    predicted = shop_churn_predict(customer_id=customer_id, now=now)
    churn: dict = {"last_activity_days": _days_since(now, last_activity)}
    if predicted is None:
        churn.update(model_available=False, probability=None, risk_level=None, message=NO_MODEL_MESSAGE)
    else:
        churn.update(model_available=True, **predicted)
        if predicted["probability"] is None:
            churn["message"] = "구매 이력이 없어 이탈 확률을 계산하지 않습니다"
    score = behavior_score(
        days_since_order=_days_since(now, last_order),
        orders_365=history["orders_last_365_days"],
        engagement_units=engagement["reviews_written"]
        + engagement["wishlist_items"]
        + browsing["sessions_last_90_days"],
        churn_probability=churn.get("probability"),
    )
    return {
        "user_id": customer_id,
        "behavior_score": score["score"],
        "behavior_score_components": score["components"],
        "purchase_history": history,
        "favorite_categories": favorites,
        "browsing_patterns": browsing,
        "engagement": engagement,
        "churn_prediction": churn,
        "next_best_actions": _next_actions(favorites=favorites, churn=churn, engagement=engagement, history=history),
    }
