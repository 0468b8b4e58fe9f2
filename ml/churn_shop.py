"""Churn model for shop buyers (seed 000 §2.2 ``churn_prediction``).

A buyer is anyone with a non-cancelled order before the snapshot instant. Features are
computed in the database as of the snapshot (nothing after it leaks in); the label is 1 when
the buyer places no non-cancelled order in the ``horizon_days`` after it.

Training (``manage.py train_shop_churn --as-of T``) evaluates the recipe out of time: fit on
the snapshot ``T − h`` (labels from [T−h, T)), score the snapshot ``T`` (labels from
[T, T+h)) with AUC and precision/recall against a recency-only baseline. The saved model is
then refitted on snapshot ``T``, the most recent fully labelled window, and the out-of-time
metrics are stored with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from django.db.models import Avg, Count, Max, Min, Q, Sum
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from commerce.currency import shop_currency
from commerce.models import CartEvent, CartEventType, Order, OrderStatus, PageView, Review, SearchQuery, WishlistItem

from .evaluation import compare_with_baseline
from .registry import artifact_load_latest, artifact_save

MODEL_NAME = "shop_churn"
DEFAULT_HORIZON_DAYS = 90
RECENT_DAYS = 30
RISK_THRESHOLDS = (0.3, 0.6)  # seed 000: < 0.3 low, < 0.6 medium, else high
FEATURES = [
    "order_count",
    "orders_90d",
    "total_spent",
    "avg_order_value",
    "days_since_last_order",
    "tenure_days",
    "cancelled_count",
    "review_count",
    "avg_rating_given",
    "page_views_30d",
    "sessions_30d",
    "searches_30d",
    "cart_adds_30d",
    "abandoned_carts",
    "wishlist_count",
]
DAY_SECONDS = 86400.0


def _primary_currency() -> str:
    """Money features (spend, order value) are in the shop's reporting currency."""
    return shop_currency()


def risk_level(probability: float) -> str:
    low, high = RISK_THRESHOLDS
    return "low" if probability < low else "medium" if probability < high else "high"


def _by_customer(rows: object, key: str) -> dict[int, dict]:
    return {row.pop(key): row for row in rows}  # type: ignore[attr-defined]


def shop_churn_features(*, cutoff: datetime, customer_ids: list[int] | None = None) -> pd.DataFrame:
    """One row per buyer (index ``customer_id``) with :data:`FEATURES` as of ``cutoff``."""
    done = ~Q(status=OrderStatus.CANCELLED)
    recent90 = cutoff - timedelta(days=90)
    recent = cutoff - timedelta(days=RECENT_DAYS)
    only = (
        (lambda qs, field: qs.filter(**{f"{field}__in": customer_ids}))
        if customer_ids is not None
        else (lambda qs, field: qs)
    )

    orders = _by_customer(
        only(Order.objects.filter(created_at__lt=cutoff), "buyer_id")
        .order_by()
        .values("buyer_id")
        .annotate(
            order_count=Count("id", filter=done),
            orders_90d=Count("id", filter=done & Q(created_at__gte=recent90)),
            total_spent=Sum("total", filter=done & Q(currency=_primary_currency())),
            spent_orders=Count("id", filter=done & Q(currency=_primary_currency())),
            last=Max("created_at", filter=done),
            first=Min("created_at", filter=done),
            cancelled_count=Count("id", filter=~done),
        ),
        "buyer_id",
    )
    buyers = [cid for cid, row in orders.items() if row["order_count"] > 0]
    if not buyers:
        return pd.DataFrame(columns=FEATURES, index=pd.Index([], name="customer_id"), dtype=float)
    reviews = _by_customer(
        only(Review.objects.filter(created_at__lt=cutoff), "customer_id")
        .order_by()
        .values("customer_id")
        .annotate(review_count=Count("id"), avg_rating_given=Avg("rating")),
        "customer_id",
    )
    views = _by_customer(
        only(
            PageView.objects.filter(viewed_at__gte=recent, viewed_at__lt=cutoff, customer_id__isnull=False),
            "customer_id",
        )
        .order_by()
        .values("customer_id")
        .annotate(page_views_30d=Count("id"), sessions_30d=Count("session_id", distinct=True)),
        "customer_id",
    )
    searches = _by_customer(
        only(
            SearchQuery.objects.filter(searched_at__gte=recent, searched_at__lt=cutoff, customer_id__isnull=False),
            "customer_id",
        )
        .order_by()
        .values("customer_id")
        .annotate(searches_30d=Count("id")),
        "customer_id",
    )
    events = CartEvent.objects.filter(occurred_at__lt=cutoff)
    adds = _by_customer(
        only(events.filter(event=CartEventType.ADDED, occurred_at__gte=recent), "customer_id")
        .order_by()
        .values("customer_id")
        .annotate(cart_adds_30d=Count("id")),
        "customer_id",
    )
    abandoned = _by_customer(
        only(events.filter(event=CartEventType.ADDED), "customer_id")
        .exclude(cart_id__in=events.filter(event=CartEventType.CHECKED_OUT).values("cart_id"))
        .order_by()
        .values("customer_id")
        .annotate(abandoned_carts=Count("cart_id", distinct=True)),
        "customer_id",
    )
    wishes = _by_customer(
        only(WishlistItem.objects.filter(created_at__lt=cutoff), "customer_id")
        .order_by()
        .values("customer_id")
        .annotate(wishlist_count=Count("id")),
        "customer_id",
    )

    records = []
    for cid in buyers:
        o = orders[cid]
        spent = float(o["total_spent"] or 0)
        records.append(
            {
                "customer_id": cid,
                "order_count": o["order_count"],
                "orders_90d": o["orders_90d"],
                "total_spent": spent,
                "avg_order_value": spent / o["spent_orders"] if o["spent_orders"] else 0.0,
                "days_since_last_order": (cutoff - o["last"]).total_seconds() / DAY_SECONDS,
                "tenure_days": (cutoff - o["first"]).total_seconds() / DAY_SECONDS,
                "cancelled_count": o["cancelled_count"],
                "review_count": reviews.get(cid, {}).get("review_count", 0),
                "avg_rating_given": float(reviews.get(cid, {}).get("avg_rating_given") or 0.0),
                "page_views_30d": views.get(cid, {}).get("page_views_30d", 0),
                "sessions_30d": views.get(cid, {}).get("sessions_30d", 0),
                "searches_30d": searches.get(cid, {}).get("searches_30d", 0),
                "cart_adds_30d": adds.get(cid, {}).get("cart_adds_30d", 0),
                "abandoned_carts": abandoned.get(cid, {}).get("abandoned_carts", 0),
                "wishlist_count": wishes.get(cid, {}).get("wishlist_count", 0),
            }
        )
    return pd.DataFrame.from_records(records, index="customer_id")[FEATURES].astype(float)


def shop_churn_labels(*, cutoff: datetime, horizon_days: int, customer_ids: list[int]) -> pd.Series:
    """1 = no non-cancelled order in [cutoff, cutoff + horizon)."""
    active = set(
        Order.objects.filter(
            buyer_id__in=customer_ids, created_at__gte=cutoff, created_at__lt=cutoff + timedelta(days=horizon_days)
        )
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("buyer_id", flat=True)
        .distinct()
    )
    return pd.Series([0 if cid in active else 1 for cid in customer_ids], index=customer_ids, name="churned")


def build_pipeline() -> Pipeline:
    """log1p (all features are non-negative counts, amounts and days) → standardise →
    logistic regression: calibrated probabilities, stable on small data."""
    return Pipeline(
        [
            ("log", FunctionTransformer(np.log1p, feature_names_out="one-to-one")),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(max_iter=1000, C=1.0)),
        ]
    )


@dataclass(frozen=True)
class TrainResult:
    artifact_id: int
    version: str
    metrics: dict


def _snapshot(cutoff: datetime, horizon_days: int) -> tuple[pd.DataFrame, pd.Series]:
    x = shop_churn_features(cutoff=cutoff)
    y = shop_churn_labels(cutoff=cutoff, horizon_days=horizon_days, customer_ids=list(x.index))
    return x, y


def shop_churn_train(*, as_of: date, horizon_days: int = DEFAULT_HORIZON_DAYS, tz: object) -> TrainResult:
    """Fit, evaluate out of time and save the shop churn model (see the module docstring).

    ``as_of`` is the evaluation snapshot; its labels need ``as_of + horizon_days`` to have
    passed (the command checks that). Raises ``ValueError`` when a window lacks buyers of
    both classes."""
    test_cut = datetime.combine(as_of, datetime.min.time(), tzinfo=tz)
    train_cut = test_cut - timedelta(days=horizon_days)
    x_train, y_train = _snapshot(train_cut, horizon_days)
    x_test, y_test = _snapshot(test_cut, horizon_days)
    for label, y in (("학습", y_train), ("평가", y_test)):
        if y.nunique() < 2:
            raise ValueError(f"{label} 구간에 이탈/유지 고객이 모두 있어야 합니다 (고객 {len(y)}명)")
    model = build_pipeline().fit(x_train.to_numpy(), y_train.to_numpy())
    proba = model.predict_proba(x_test.to_numpy())[:, 1]
    evaluation = compare_with_baseline(
        y_test.to_numpy(), proba, x_test["days_since_last_order"].to_numpy(), threshold=0.5
    )
    final = build_pipeline().fit(x_test.to_numpy(), y_test.to_numpy())
    coefficients = dict(zip(FEATURES, np.round(final.named_steps["clf"].coef_[0], 4).tolist(), strict=True))
    metrics = {
        "out_of_time": evaluation,
        "train_snapshot": train_cut.date().isoformat(),
        "test_snapshot": as_of.isoformat(),
        "n_train": len(y_train),
        "n_test": len(y_test),
        "train_churn_rate": round(float(y_train.mean()), 4),
        "coefficients": coefficients,
    }
    params = {"features": FEATURES, "horizon_days": horizon_days, "final_fit_snapshot": as_of.isoformat()}
    row = artifact_save(name=MODEL_NAME, model=final, trained_as_of=as_of, metrics=metrics, params=params)
    return TrainResult(artifact_id=row.pk, version=row.version, metrics=metrics)


def shop_churn_predict(*, customer_id: int, now: datetime) -> dict | None:
    """Probability and risk level for one buyer, or ``None`` when no model was trained.
    A customer without any non-cancelled order gets ``probability`` ``None`` (not a buyer)."""
    loaded = artifact_load_latest(MODEL_NAME)
    if loaded is None:
        return None
    features = shop_churn_features(cutoff=now, customer_ids=[customer_id])
    base = {
        "model_version": loaded.version,
        "trained_as_of": loaded.trained_as_of.isoformat() if loaded.trained_as_of else None,
    }
    if features.empty:
        return {**base, "probability": None, "risk_level": None}
    columns = loaded.params.get("features", FEATURES)
    probability = float(loaded.model.predict_proba(features[columns].to_numpy())[0, 1])
    return {**base, "probability": round(probability, 4), "risk_level": risk_level(probability)}


def shop_churn_model_id() -> int | None:
    """The id of the model the API would serve now (part of the behaviour cache key)."""
    from .models import ModelArtifact

    return (
        ModelArtifact.objects.filter(name=MODEL_NAME, is_active=True)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
