from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max
from django.utils import timezone

from customers.models import Customer, ServiceSession
from customers.testing.factories import CustomerFactory, PackageFactory, PackagePurchaseFactory, ServiceFactory
from customers.testing.history import build_center_history
from ml.churn_center import (
    MODEL_NAME,
    center_churn_train,
    churn_features,
    churn_labels,
    risk_level_for,
)
from ml.models import ModelArtifact
from ml.registry import artifact_load_latest

pytestmark = pytest.mark.django_db


def test_features_as_of_use_only_the_past(db):
    today = dt.date(2026, 6, 30)
    brain = ServiceFactory(code="brain")
    customer = CustomerFactory()
    purchase = PackagePurchaseFactory(
        customer=customer,
        package=PackageFactory(items={"brain": 10}, price=500000),
        purchase_date=today - dt.timedelta(days=40),
        expiry_date=today + dt.timedelta(days=20),
    )
    for days in (100, 30, 10, -5):  # the last one is after as_of and must not count
        ServiceSession.objects.create(
            customer=customer,
            service=brain,
            purchase=purchase if days < 40 else None,
            service_date=today - dt.timedelta(days=days),
            duration_minutes=40,
            satisfaction_rating=5 if days > 50 else 3,
        )
    row = churn_features(as_of=today).loc[customer.pk]
    assert row["recency_days"] == 10
    assert row["total_visits"] == 3
    assert row["visits_90"] == 2
    assert row["visits_prev_90"] == 1
    assert row["visit_trend"] == 1
    assert row["tenure_days"] == 100
    assert row["overdue_ratio"] == pytest.approx(10 / 45)  # (100 − 10) / 2 intervals = 45 days
    assert row["avg_satisfaction"] == pytest.approx(11 / 3)
    assert row["recent_satisfaction"] == 3
    assert row["monetary"] == 500000
    assert row["balance_remaining"] == 8  # 10 − 2 redeemed up to as_of
    assert row["days_to_expiry"] == 20
    assert row["has_active_package"] == 1
    labels = churn_labels(as_of=today, horizon_days=60, customer_ids=[customer.pk])
    assert labels.loc[customer.pk] == 0  # came back 5 days later


def test_train_beats_recency_baseline_and_command_saves_artifact(db):
    end = timezone.localdate()
    kinds = build_center_history(n=160, end=end)
    as_of = end - dt.timedelta(days=60)
    result = center_churn_train(as_of=as_of, horizon_days=60)
    model_auc = result.metrics["model"]["auc"]
    base_auc = result.metrics["baseline_recency"]["auc"]
    assert model_auc is not None and base_auc is not None
    assert model_auc >= 0.85
    assert model_auc >= base_auc - 0.01
    assert 0 < result.metrics["test"]["positive_rate"] < 1

    out = StringIO()
    call_command("train_center_churn", "--as-of", as_of.isoformat(), "--horizon-days", "60", stdout=out)
    text = out.getvalue()
    assert "recency baseline" in text and "AUC" in text and "저장: center_churn@" in text
    artifact = ModelArtifact.objects.get(name=MODEL_NAME)
    assert artifact.trained_as_of == as_of
    assert artifact.metrics["model"]["auc"] == pytest.approx(model_auc)
    loaded = artifact_load_latest(MODEL_NAME)
    assert loaded is not None and loaded.params["horizon_days"] == 60

    out = StringIO()
    call_command("score_center_churn", stdout=out)
    scored = Customer.objects.exclude(risk_scored_at=None)
    assert scored.count() == 160
    level = dict(scored.values_list("pk", "risk_level"))
    # loyal customers visit until today: stable; churners gone for 120+ days: danger
    loyal_stable = sum(level[i] == "stable" for i in kinds["loyal"]) / len(kinds["loyal"])
    assert loyal_stable >= 0.9
    gone_ids = list(
        ServiceSession.objects.filter(customer_id__in=kinds["churner"])
        .values("customer_id")
        .annotate(last=Max("service_date"))
        .filter(last__lt=end - dt.timedelta(days=120))
        .values_list("customer_id", flat=True)
    )
    assert gone_ids and all(level[i] == "danger" for i in gone_ids)


def test_train_refuses_without_history(db):
    with pytest.raises(CommandError):
        call_command("train_center_churn", "--as-of", "2026-01-01", stdout=StringIO())


def test_score_refuses_without_model(db):
    with pytest.raises(CommandError, match="train_center_churn"):
        call_command("score_center_churn", stdout=StringIO())


@pytest.mark.parametrize("p, level", [(0.1, "stable"), (0.35, "warning"), (0.64, "warning"), (0.65, "danger")])
def test_risk_thresholds(p, level):
    assert risk_level_for(p) == level
