"""Churn model of the wellness center: will a customer come back within ``horizon`` days?

Features are computed set-based in the database as of a date T (only data up to T):

=====================  ==========================================================
recency_days           days since the last session
visits_90              sessions in (T−90, T]
visits_prev_90         sessions in (T−180, T−90]
visit_trend            visits_90 − visits_prev_90 (negative = slowing down)
total_visits           sessions up to T
tenure_days            days since the first session
overdue_ratio          recency_days / mean interval between visits (>1 = later than usual)
avg_satisfaction       mean rating up to T (missing → 4.0)
recent_satisfaction    mean rating in (T−90, T] (missing → avg_satisfaction)
monetary               paid for packages up to T (cancelled/refunded excluded)
balance_remaining      sessions left at T in packages valid at T
days_to_expiry         days until the soonest valid package expires (none → 365)
has_active_package     1 when a package is valid at T
=====================  ==========================================================

Label: no session in (T, T + horizon]. Population: customers whose last session up to T is
at most ``active_days`` old (those gone longer are churned already, not predicted).

Model: standardised features (counts and days log-scaled) into a logistic regression. It is
explainable: each feature's contribution to the log-odds is ``coef × z``, which the API turns
into Korean risk factors.

Evaluation (``train_center_churn --as-of T``): fit on the snapshot at T − horizon (labels in
(T − h, T]), test on the snapshot at T (labels in (T, T + h]), against the recency-only
baseline of ``ml.evaluation``. The saved model is then refit on the snapshot at T, the most
recent one whose labels are known, so in production it stands to "today" as the evaluated
model stood to T.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db.models import Avg, Count, Max, Min, Q, Sum
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from customers.models import PackageBalance, PackagePurchase, PurchaseStatus, ServiceSession

from .evaluation import compare_with_baseline

MODEL_NAME = "center_churn"
DEFAULT_HORIZON = 60
DEFAULT_ACTIVE_DAYS = 180
NO_EXPIRY = 365

FEATURES = (
    "recency_days",
    "visits_90",
    "visits_prev_90",
    "visit_trend",
    "total_visits",
    "tenure_days",
    "overdue_ratio",
    "avg_satisfaction",
    "recent_satisfaction",
    "monetary",
    "balance_remaining",
    "days_to_expiry",
    "has_active_package",
)
# log1p before scaling: heavy-tailed counts, days and money
LOG_FEATURES = (
    "recency_days",
    "visits_90",
    "visits_prev_90",
    "total_visits",
    "tenure_days",
    "overdue_ratio",
    "monetary",
    "balance_remaining",
    "days_to_expiry",
)

# risk_level thresholds on the churn probability (documented in docs/customer-api.md)
WARNING_AT = 0.35
DANGER_AT = 0.65


def risk_level_for(probability: float) -> str:
    """stable < 0.35 ≤ warning < 0.65 ≤ danger."""
    if probability >= DANGER_AT:
        return "danger"
    if probability >= WARNING_AT:
        return "warning"
    return "stable"


def churn_risk_for(probability: float) -> str:
    """The analytics label of seed 004 (low/medium/high), same thresholds as risk_level."""
    return {"stable": "low", "warning": "medium", "danger": "high"}[risk_level_for(probability)]


def _inactive_purchases() -> Q:
    return Q(status__in=[PurchaseStatus.CANCELLED, PurchaseStatus.REFUNDED])


def churn_features(
    *, as_of: date, customer_ids: Iterable[int] | None = None, active_days: int | None = DEFAULT_ACTIVE_DAYS
) -> pd.DataFrame:
    """One row per customer with a session up to ``as_of`` (index: customer id), columns
    :data:`FEATURES`. Three grouped queries, whatever the number of customers."""
    ids = list(customer_ids) if customer_ids is not None else None
    sessions = ServiceSession.objects.filter(service_date__lte=as_of)
    purchases = PackagePurchase.objects.filter(purchase_date__lte=as_of).exclude(_inactive_purchases())
    valid_at = Q(purchase__purchase_date__lte=as_of, purchase__expiry_date__gte=as_of) & ~Q(
        purchase__status__in=[PurchaseStatus.CANCELLED, PurchaseStatus.REFUNDED]
    )
    balances = PackageBalance.objects.filter(valid_at)
    if ids is not None:
        sessions = sessions.filter(customer_id__in=ids)
        purchases = purchases.filter(customer_id__in=ids)
        balances = balances.filter(purchase__customer_id__in=ids)
    d90, d180 = as_of - timedelta(days=90), as_of - timedelta(days=180)
    rows = list(
        sessions.values("customer_id").annotate(
            last=Max("service_date"),
            first=Min("service_date"),
            total_visits=Count("id"),
            visits_90=Count("id", filter=Q(service_date__gt=d90)),
            visits_prev_90=Count("id", filter=Q(service_date__gt=d180, service_date__lte=d90)),
            avg_satisfaction=Avg("satisfaction_rating"),
            recent_satisfaction=Avg("satisfaction_rating", filter=Q(service_date__gt=d90)),
            redeemed_valid=Count("id", filter=valid_at),
        )
    )
    if not rows:
        return pd.DataFrame(columns=list(FEATURES), dtype=float)
    df = pd.DataFrame(rows).set_index("customer_id")
    df["recency_days"] = [(as_of - d).days for d in df["last"]]
    df["tenure_days"] = [(as_of - d).days for d in df["first"]]
    if active_days is not None:
        df = df[df["recency_days"] <= active_days]
    money = pd.DataFrame(
        list(
            purchases.values("customer_id").annotate(
                monetary=Sum("price_paid"), soonest=Min("expiry_date", filter=Q(expiry_date__gte=as_of))
            )
        ),
        columns=["customer_id", "monetary", "soonest"],
    ).set_index("customer_id")
    held = pd.DataFrame(
        list(balances.values("purchase__customer_id").annotate(held=Sum("total"))),
        columns=["purchase__customer_id", "held"],
    ).set_index("purchase__customer_id")
    df = df.join(money, how="left").join(held, how="left")
    df["monetary"] = df["monetary"].astype(float).fillna(0.0)
    df["held"] = df["held"].astype(float).fillna(0.0)
    df["balance_remaining"] = (df["held"] - df["redeemed_valid"]).clip(lower=0)
    df["days_to_expiry"] = [(s - as_of).days if isinstance(s, date) else NO_EXPIRY for s in df["soonest"]]
    df["has_active_package"] = (df["held"] > 0).astype(float)
    df["visit_trend"] = df["visits_90"] - df["visits_prev_90"]
    mean_interval = (df["tenure_days"] - df["recency_days"]) / (df["total_visits"] - 1).where(df["total_visits"] > 1)
    mean_interval = mean_interval.fillna(df["tenure_days"].clip(lower=30)).clip(lower=1)
    df["overdue_ratio"] = df["recency_days"] / mean_interval
    df["avg_satisfaction"] = df["avg_satisfaction"].astype(float).fillna(4.0)
    df["recent_satisfaction"] = df["recent_satisfaction"].astype(float).fillna(df["avg_satisfaction"])
    return df[list(FEATURES)].astype(float).sort_index()


def churn_labels(*, as_of: date, horizon_days: int, customer_ids: Iterable[int]) -> pd.Series:
    """1 when the customer has no session in (as_of, as_of + horizon]."""
    ids = list(customer_ids)
    returned = set(
        ServiceSession.objects.filter(service_date__gt=as_of, service_date__lte=as_of + timedelta(days=horizon_days))
        .values_list("customer_id", flat=True)
        .distinct()
    )
    return pd.Series([0 if i in returned else 1 for i in ids], index=ids, dtype=int)


def design_matrix(df: pd.DataFrame) -> np.ndarray:
    """The model's input: :data:`FEATURES` in order, log1p on :data:`LOG_FEATURES`."""
    x = df[list(FEATURES)].astype(float).copy()
    for name in LOG_FEATURES:
        x[name] = np.log1p(x[name].clip(lower=0))
    return x.to_numpy()


def new_pipeline() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(C=1.0, max_iter=1000))])


@dataclass
class TrainingResult:
    model: dict
    metrics: dict
    params: dict


def center_churn_train(
    *,
    as_of: date,
    horizon_days: int = DEFAULT_HORIZON,
    active_days: int = DEFAULT_ACTIVE_DAYS,
    min_customers: int = 20,
) -> TrainingResult:
    """Fit on the snapshot at ``as_of − horizon``, evaluate on the snapshot at ``as_of``
    against the recency baseline, then refit on the ``as_of`` snapshot for serving.

    Raises ``ValueError`` (Korean message) when a snapshot is too small or one-class."""
    train_at = as_of - timedelta(days=horizon_days)
    snapshots = {}
    for name, when in (("train", train_at), ("test", as_of)):
        x = churn_features(as_of=when, active_days=active_days)
        if len(x) < min_customers:
            raise ValueError(f"{name} 시점({when})의 고객이 {len(x)}명뿐입니다 (최소 {min_customers}명)")
        y = churn_labels(as_of=when, horizon_days=horizon_days, customer_ids=x.index)
        if y.nunique() < 2:
            raise ValueError(f"{name} 시점({when})의 이탈 여부가 한 가지뿐이라 학습/평가할 수 없습니다")
        snapshots[name] = (x, y)
    x_train, y_train = snapshots["train"]
    x_test, y_test = snapshots["test"]
    evaluated = new_pipeline().fit(design_matrix(x_train), y_train.to_numpy())
    proba = evaluated.predict_proba(design_matrix(x_test))[:, 1]
    report = compare_with_baseline(y_test.to_numpy(), proba, x_test["recency_days"].to_numpy())
    final = new_pipeline().fit(design_matrix(x_test), y_test.to_numpy())
    coefs = dict(zip(FEATURES, final.named_steps["clf"].coef_[0].round(4).tolist(), strict=True))
    metrics = {
        **report,
        "train": {"as_of": train_at.isoformat(), "n": len(y_train), "positive_rate": round(float(y_train.mean()), 4)},
        "test": {"as_of": as_of.isoformat(), "n": len(y_test), "positive_rate": round(float(y_test.mean()), 4)},
        "coefficients": coefs,
    }
    params = {
        "horizon_days": horizon_days,
        "active_days": active_days,
        "features": list(FEATURES),
        "thresholds": {"warning": WARNING_AT, "danger": DANGER_AT},
        "estimator": "StandardScaler+LogisticRegression(C=1.0)",
        "final_fit_as_of": as_of.isoformat(),
    }
    model = {"pipeline": final, "features": list(FEATURES), "horizon_days": horizon_days}
    return TrainingResult(model=model, metrics=metrics, params=params)


def churn_probabilities(model: dict, features: pd.DataFrame) -> np.ndarray:
    if features.empty:
        return np.zeros(0)
    return model["pipeline"].predict_proba(design_matrix(features))[:, 1]


def churn_contributions(model: dict, features: pd.DataFrame) -> pd.DataFrame:
    """Per feature, its contribution to the log-odds of churn (coef × standardised value)."""
    pipe = model["pipeline"]
    z = pipe.named_steps["scale"].transform(design_matrix(features))
    coef = pipe.named_steps["clf"].coef_[0]
    return pd.DataFrame(z * coef, index=features.index, columns=list(FEATURES))


def _days(value: float) -> int:
    return round(value)


def risk_factor_texts(
    row: pd.Series, contributions: pd.Series, *, limit: int = 3, min_contribution: float = 0.15
) -> list[str]:
    """Korean phrases for the features that pushed the churn probability up the most."""
    texts = {
        "recency_days": lambda r: f"마지막 방문 후 {_days(r['recency_days'])}일 경과",
        "overdue_ratio": lambda r: f"평소 방문 간격보다 {r['overdue_ratio']:.1f}배 오래 방문하지 않음",
        "visits_90": lambda r: f"최근 90일 방문 {int(r['visits_90'])}회로 적음",
        "visit_trend": lambda r: (
            f"방문 빈도 감소 (직전 90일 {int(r['visits_prev_90'])}회 → 최근 90일 {int(r['visits_90'])}회)"
        ),
        "visits_prev_90": lambda r: f"직전 90일 방문 {int(r['visits_prev_90'])}회",
        "total_visits": lambda r: f"누적 방문 {int(r['total_visits'])}회로 적음",
        "tenure_days": lambda r: f"이용 기간 {_days(r['tenure_days'])}일",
        "avg_satisfaction": lambda r: f"평균 만족도 낮음 ({r['avg_satisfaction']:.1f}점)",
        "recent_satisfaction": lambda r: f"최근 만족도 낮음 ({r['recent_satisfaction']:.1f}점)",
        "monetary": lambda r: f"누적 결제 금액 낮음 ({int(r['monetary']):,}원)",
        "balance_remaining": lambda r: f"남은 패키지 세션 {int(r['balance_remaining'])}회",
        "days_to_expiry": lambda r: (
            "이용 중인 패키지 없음"
            if r["days_to_expiry"] >= NO_EXPIRY
            else f"패키지 만료까지 {_days(r['days_to_expiry'])}일"
        ),
        "has_active_package": lambda r: "이용 중인 패키지 없음",
    }
    ranked = contributions.sort_values(ascending=False)
    out: list[str] = []
    for name, value in ranked.items():
        if value < min_contribution or len(out) >= limit:
            break
        text = texts[str(name)](row)
        if text not in out:
            out.append(text)
    return out


def next_action_for(row: pd.Series, probability: float, factors: list[str]) -> str:
    """A next step for the staff, from the strongest signals (rules, documented)."""
    if 0 <= row["days_to_expiry"] <= 14 and row["has_active_package"]:
        return "패키지 만료 전 갱신 제안"
    if probability >= DANGER_AT:
        if row["recent_satisfaction"] < 3.5:
            return "만족도 상담 전화 및 서비스 조정"
        if row["balance_remaining"] > 0:
            return "잔여 세션 이용 독려 연락"
        return "재방문 혜택 안내 (카카오톡/문자)"
    if probability >= WARNING_AT:
        if row["balance_remaining"] > 0:
            return "다음 예약 일정 확인 연락"
        return "패키지 재구매 제안"
    if not row["has_active_package"]:
        return "패키지 구매 제안"
    return "정기 관리 유지 및 신규 서비스 체험 제안"
