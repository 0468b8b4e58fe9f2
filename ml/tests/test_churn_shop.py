"""The shop churn model on a generated shop with real signal: loyal buyers keep ordering every
2–4 weeks; churners order the same way, then stop at a random date."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditLog
from commerce.models import Order, OrderStatus, PageView
from core.timeutils import local_today
from customers.models import Customer
from customers.testing.factories import CustomerFactory
from ml.churn_shop import FEATURES, risk_level, shop_churn_features, shop_churn_labels, shop_churn_train
from ml.models import ModelArtifact

KST = ZoneInfo("Asia/Seoul")
HORIZON = 60


def generate_shop(n: int = 160, seed: int = 7) -> list[Customer]:
    rng = np.random.default_rng(seed)
    today = local_today()
    start = today - timedelta(days=330)
    customers = [CustomerFactory() for _ in range(n)]
    orders, views = [], []
    for i, customer in enumerate(customers):
        loyal = i % 2 == 0
        stop = today if loyal else start + timedelta(days=int(rng.integers(40, 330)))
        day = start + timedelta(days=int(rng.integers(0, 30)))
        while day < stop:
            at = datetime(day.year, day.month, day.day, 12, tzinfo=KST)
            orders.append(
                Order(
                    buyer=customer,
                    status=OrderStatus.DELIVERED,
                    total=Decimal(int(rng.integers(10, 60)) * 1000),
                    created_at=at,
                )
            )
            if loyal:
                views.append(
                    PageView(customer=customer, session_id=f"s{i}-{day}", path="/", duration_seconds=60, viewed_at=at)
                )
            day += timedelta(days=int(rng.integers(14, 29)))
    Order.objects.bulk_create(orders)
    PageView.objects.bulk_create(views)
    return customers


def test_features_are_as_of_the_cutoff(db):
    c = CustomerFactory()
    cut = datetime(2026, 6, 1, tzinfo=KST)
    Order.objects.create(
        buyer=c, status=OrderStatus.DELIVERED, total=Decimal("20000"), created_at=cut - timedelta(days=10)
    )
    Order.objects.create(
        buyer=c, status=OrderStatus.DELIVERED, total=Decimal("40000"), created_at=cut - timedelta(days=100)
    )
    Order.objects.create(
        buyer=c, status=OrderStatus.CANCELLED, total=Decimal("9000"), created_at=cut - timedelta(days=5)
    )
    Order.objects.create(
        buyer=c, status=OrderStatus.DELIVERED, total=Decimal("1000"), created_at=cut + timedelta(days=1)
    )
    CustomerFactory()  # never bought: not a buyer, no row
    x = shop_churn_features(cutoff=cut)
    assert list(x.columns) == FEATURES
    assert list(x.index) == [c.pk]
    row = x.loc[c.pk]
    assert (row["order_count"], row["orders_90d"], row["total_spent"], row["avg_order_value"]) == (2, 1, 60000, 30000)
    assert (row["days_since_last_order"], row["tenure_days"], row["cancelled_count"]) == (10, 100, 1)
    labels = shop_churn_labels(cutoff=cut, horizon_days=30, customer_ids=[c.pk])
    assert labels.tolist() == [0]  # it bought again the next day
    assert shop_churn_labels(cutoff=cut + timedelta(days=2), horizon_days=30, customer_ids=[c.pk]).tolist() == [1]


def test_train_evaluates_out_of_time_and_saves(db):
    generate_shop()
    as_of = local_today() - timedelta(days=HORIZON)
    result = shop_churn_train(as_of=as_of, horizon_days=HORIZON, tz=KST)
    ev = result.metrics["out_of_time"]
    assert ev["model"]["auc"] >= 0.85
    assert ev["baseline_recency"]["auc"] is not None
    assert result.metrics["test_snapshot"] == as_of.isoformat()
    assert result.metrics["train_snapshot"] == (as_of - timedelta(days=HORIZON)).isoformat()
    saved = ModelArtifact.objects.get(pk=result.artifact_id)
    assert saved.name == "shop_churn" and saved.trained_as_of == as_of
    assert saved.params["features"] == FEATURES and saved.params["horizon_days"] == HORIZON


def test_command_refuses_unobserved_labels_and_trains(db):
    generate_shop(n=80)
    with pytest.raises(CommandError, match="관측되지"):
        call_command("train_shop_churn", "--as-of", local_today().isoformat(), "--horizon-days", str(HORIZON))
    out = StringIO()
    call_command("train_shop_churn", "--horizon-days", str(HORIZON), stdout=out)
    text = out.getvalue()
    assert "baseline_recency: AUC=" in text and "저장됨: shop_churn" in text
    assert ModelArtifact.objects.filter(name="shop_churn").count() == 1


def test_behavior_serves_the_trained_model(db, api_client_for):
    customers = generate_shop()
    shop_churn_train(as_of=local_today() - timedelta(days=HORIZON), horizon_days=HORIZON, tz=KST)
    client = api_client_for("MANAGER")
    loyal = customers[0]
    # the churner who stopped longest ago (its last order is months old)
    churner = min(
        customers[1::2], key=lambda c: Order.objects.filter(buyer=c).order_by("-created_at").first().created_at
    )
    loyal_churn = client.get(f"/api/v1/analytics/users/{loyal.pk}/behavior").json()["data"]["churn_prediction"]
    assert loyal_churn["model_available"] is True
    assert 0 <= loyal_churn["probability"] <= 1
    assert loyal_churn["risk_level"] == risk_level(loyal_churn["probability"])
    churner_churn = client.get(f"/api/v1/analytics/users/{churner.pk}/behavior").json()["data"]["churn_prediction"]
    assert churner_churn["last_activity_days"] > 200
    assert churner_churn["probability"] > loyal_churn["probability"]
    assert churner_churn["risk_level"] == "high"
    assert AuditLog.objects.filter(action="view").count() == 2


@pytest.mark.parametrize(
    ("p", "level"), [(0.0, "low"), (0.29, "low"), (0.3, "medium"), (0.59, "medium"), (0.6, "high"), (1.0, "high")]
)
def test_risk_thresholds_of_the_seed(p, level):
    assert risk_level(p) == level
