from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from analytics.center.selectors import WEEKDAYS, consistency_score
from customers.models import HealthMetricType, ServiceSession
from customers.testing.factories import (
    CustomerFactory,
    HealthMetricFactory,
    PackageFactory,
    PackagePurchaseFactory,
    RecommendationFeedbackFactory,
    ServiceFactory,
)
from customers.testing.history import build_center_history
from ml.churn_center import MODEL_NAME, center_churn_train
from ml.registry import artifact_save

pytestmark = pytest.mark.django_db


def url(customer_id: int, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/customers/{customer_id}/analytics" + (f"?{query}" if query else "")


@pytest.fixture
def subject(db) -> dict:
    """Visits every 14 days at 10:30 (same weekday): 6 in the last 90 days (brain 4, pulse 2),
    2 brain visits in the 90 days before; purchases 300,000 (old) and 600,000 (recent)."""
    today = timezone.localdate()
    brain, pulse = ServiceFactory(code="brain"), ServiceFactory(code="pulse")
    customer = CustomerFactory(total_revenue=Decimal("900000"), total_visits=8)
    dates = [today - dt.timedelta(days=2 + 14 * k) for k in range(6)]
    older = [today - dt.timedelta(days=100), today - dt.timedelta(days=120)]
    rows = [
        ServiceSession(
            customer=customer,
            service=brain if i % 3 != 2 else pulse,
            service_date=d,
            start_time=dt.time(10, 30),
            duration_minutes=40,
            satisfaction_rating=5 if i % 3 != 2 else 3,
        )
        for i, d in enumerate(dates)
    ] + [
        ServiceSession(customer=customer, service=brain, service_date=d, duration_minutes=40, satisfaction_rating=4)
        for d in older
    ]
    ServiceSession.objects.bulk_create(rows)
    package = PackageFactory(items={"brain": 10})
    PackagePurchaseFactory(
        customer=customer, package=package, purchase_date=today - dt.timedelta(days=150), price_paid=300000
    )
    PackagePurchaseFactory(
        customer=customer, package=package, purchase_date=today - dt.timedelta(days=40), price_paid=600000
    )
    for metric, before, after in ((HealthMetricType.STRESS, 7, 4), (HealthMetricType.SLEEP, 6, 8)):
        HealthMetricFactory(customer=customer, metric=metric, value=before, measured_on=today - dt.timedelta(days=95))
        HealthMetricFactory(customer=customer, metric=metric, value=after, measured_on=today - dt.timedelta(days=5))
    RecommendationFeedbackFactory(customer=customer, action="accepted")
    RecommendationFeedbackFactory(customer=customer, action="accepted")
    RecommendationFeedbackFactory(customer=customer, action="completed")
    RecommendationFeedbackFactory(customer=customer, action="rejected")
    # two peers with less revenue, one with more
    for revenue in (100000, 200000, 5000000):
        CustomerFactory(
            total_revenue=Decimal(revenue),
            total_visits=3,
            first_visit_date=today - dt.timedelta(days=100),
            last_visit_date=today - dt.timedelta(days=10),
        )
    customer.first_visit_date, customer.last_visit_date = older[-1], dates[0]
    customer.save()
    return {"customer": customer, "today": today, "weekday": WEEKDAYS[dates[0].weekday()]}


def test_analytics_sections_for_admin(api_client_for, subject):
    response = api_client_for("ADMIN").get(url(subject["customer"].pk, period="90d"))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    vp = data["visitPattern"]
    assert vp["average_interval_days"] == 14.0
    assert vp["visit_frequency"] == "bi-weekly"
    assert vp["preferred_days"] == [subject["weekday"]]
    assert vp["preferred_times"] == ["10:00-12:00"]
    assert vp["consistency_score"] == 100
    assert sum(m["visits"] for m in vp["monthly_visits"]) == 6
    su = data["serviceUsage"]
    assert su["most_used_service"] == "brain"
    assert su["service_distribution"] == {"brain": 67, "pulse": 33}
    assert su["satisfaction_by_service"] == {"brain": 5.0, "pulse": 3.0}
    assert su["growth_trend"] == {"brain": "+100%", "pulse": "new"}
    rc = data["revenueContribution"]
    assert rc["total_revenue"] == 600000
    assert rc["average_monthly_revenue"] == 200000
    assert rc["lifetime_revenue"] == 900000
    assert sum(m["amount"] for m in rc["revenue_trend"]) == 600000
    assert rc["revenue_percentile"] == 67  # 3rd of 4 sorted revenues: quantile level 2/3
    assert rc["ltv_estimate"] is None  # no churn model yet
    hm = data["healthMetrics"]
    assert hm["reported_improvements"] == {
        "stress_level": {"before": 7.0, "after": 4.0, "change": -43},
        "sleep_quality": {"before": 6.0, "after": 8.0, "change": 33},
    }
    assert hm["goal_achievement_rate"] == 100
    assert hm["recommendation_compliance"] == 75
    ra = data["riskAssessment"]
    assert ra["model_status"] == "not_trained"
    assert ra["churn_probability"] is None
    assert "train_center_churn" in ra["message"]
    row = AuditLog.objects.get(action="view")
    assert row.customer_ids == [subject["customer"].pk]
    assert row.fields_health == ["healthMetrics"]


def test_analytics_manager_gets_null_health_and_staff_is_refused(api_client_for, subject):
    response = api_client_for("MANAGER").get(url(subject["customer"].pk))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["healthMetrics"] is None
    assert set(data) >= {"visitPattern", "serviceUsage", "revenueContribution", "healthMetrics", "riskAssessment"}
    assert AuditLog.objects.get(action="view").fields_health == []
    staff = api_client_for("STAFF").get(url(subject["customer"].pk))
    assert staff.status_code == 403
    assert staff.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"
    assert AuditLog.objects.filter(action="view").count() == 1


def test_analytics_metrics_selects_sections_and_cache_hit_is_audited(api_client_for, subject):
    client = api_client_for("MANAGER")
    first = client.get(url(subject["customer"].pk, metrics="visitPattern,riskAssessment"))
    second = client.get(url(subject["customer"].pk, metrics="visitPattern,riskAssessment"))
    assert first.json()["data"] == second.json()["data"]
    assert set(first.json()["data"]) == {"period", "period_start", "period_end", "visitPattern", "riskAssessment"}
    assert [r.cache_hit for r in AuditLog.objects.filter(action="view").order_by("id")] == [False, True]


@pytest.mark.parametrize("params", [{"period": "7d"}, {"metrics": "visitPattern,horoscope"}])
def test_analytics_invalid_params(api_client_for, subject, params):
    response = api_client_for("MANAGER").get(url(subject["customer"].pk, **params))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_analytics_insufficient_data(api_client_for, subject):
    customer = CustomerFactory()
    ServiceSession.objects.create(
        customer=customer, service=ServiceFactory(code="brain"), service_date=subject["today"], duration_minutes=40
    )
    response = api_client_for("MANAGER").get(url(customer.pk, period="30d"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_DATA"
    assert error["details"]["visit_days_in_period"] == 1
    assert error["details"]["required_visit_days"] == 2
    # sections that need no visits still answer
    ok = api_client_for("MANAGER").get(url(customer.pk, period="30d", metrics="revenueContribution"))
    assert ok.status_code == 200


def test_analytics_unknown_customer(api_client_for, db):
    response = api_client_for("MANAGER").get(url(987654))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"


def test_analytics_risk_from_trained_model(api_client_for, subject):
    end = subject["today"]
    build_center_history(n=100, end=end, seed=3)
    result = center_churn_train(as_of=end - dt.timedelta(days=60), horizon_days=60)
    artifact = artifact_save(
        name=MODEL_NAME, model=result.model, trained_as_of=end, metrics=result.metrics, params=result.params
    )
    data = api_client_for("MANAGER").get(url(subject["customer"].pk)).json()["data"]
    ra = data["riskAssessment"]
    assert ra["model_status"] == "trained"
    assert ra["model_version"] == artifact.version
    assert 0 <= ra["churn_probability"] <= 100
    assert (
        ra["retention_score"] == 100 - ra["churn_probability"]
        or abs(ra["retention_score"] + ra["churn_probability"] - 100) <= 1
    )
    assert ra["churn_risk"] in {"low", "medium", "high"}
    assert all(isinstance(f, str) for f in ra["risk_factors"])
    assert ra["next_action_recommendation"]
    assert data["revenueContribution"]["ltv_estimate"] >= 900000


def test_consistency_score_formula():
    assert consistency_score([14, 14, 14]) == 100
    assert consistency_score([7, 21]) == 50  # mean 14, std 7 → CV 0.5
    assert consistency_score([1, 30]) == 6  # mean 15.5, std 14.5 → 100 × (1 − 0.935)
    assert consistency_score([10]) is None


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestAnalyticsContract(EndpointContract):
    url_name = "customer-analytics"
    invalid_query = {"period": "7y"}
    audit_action = AuditLog.Action.VIEW

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], query={"period": "90d"})
