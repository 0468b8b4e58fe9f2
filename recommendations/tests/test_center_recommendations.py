from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from customers.models import RecommendationFeedback, ServiceSession
from customers.testing.factories import CustomerFactory, CustomerPreferenceFactory, PackageFactory, ServiceFactory
from recommendations.center.similarity import reset_similarity_memo
from recommendations.models import IssuedRecommendation

pytestmark = pytest.mark.django_db


def url(customer_id: int, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/customers/{customer_id}/recommendations" + (f"?{query}" if query else "")


def feedback_url(customer_id: int, rid: str) -> str:
    return f"/api/v1/customers/{customer_id}/recommendations/{rid}/feedback"


def _sessions(customer, plan: list[tuple[str, int, int]], today: dt.date, services: dict, hour: int = 10) -> None:
    """plan: (service code, days ago, rating)."""
    ServiceSession.objects.bulk_create(
        ServiceSession(
            customer=customer,
            service=services[code],
            service_date=today - dt.timedelta(days=ago),
            start_time=dt.time(hour, 0),
            duration_minutes=services[code].duration_minutes,
            satisfaction_rating=rating,
        )
        for code, ago, rating in plan
    )


@pytest.fixture
def world(db) -> dict:
    """Peers who use brain also use ai_bike and love it, and rate lymph poorly. The subject
    uses brain and pulse on Mondays and Thursdays at 10:00 and wants weight management."""
    today = timezone.localdate()
    services = {c: ServiceFactory(code=c) for c in ("brain", "pulse", "lymph", "red", "ai_bike")}
    for i in range(30):
        peer = CustomerFactory()
        _sessions(
            peer,
            [("brain", 10 + i, 5), ("brain", 20 + i, 4), ("ai_bike", 12 + i, 5), ("lymph", 15 + i, 2)],
            today,
            services,
        )
    for i in range(10):
        peer = CustomerFactory()
        _sessions(peer, [("red", 5 + i, 4), ("lymph", 9 + i, 3), ("pulse", 30, 3)], today, services)
    subject = CustomerFactory(health_goals="체중 관리, 수면 개선")
    CustomerPreferenceFactory(customer=subject, health_interests=["체중"])
    monday = today - dt.timedelta(days=today.weekday() or 7)  # the last Monday before today
    plan = []
    for week in range(8):
        plan.append(("brain", (today - (monday - dt.timedelta(weeks=week))).days, 5))
        plan.append(
            (
                "pulse" if week % 2 else "brain",
                (today - (monday - dt.timedelta(weeks=week) + dt.timedelta(days=3))).days,
                4,
            )
        )
    plan = [p for p in plan if p[1] > 0]
    _sessions(subject, plan, today, services)
    PackageFactory(name="브레인 집중", price=Decimal("500000"), items={"brain": 10, "pulse": 5})
    PackageFactory(name="바디 케어", price=Decimal("700000"), items={"lymph": 10, "red": 10})
    reset_similarity_memo()
    return {"subject": subject, "today": today, "services": services}


def test_recommendations_for_admin(api_client_for, world):
    subject = world["subject"]
    response = api_client_for("ADMIN").get(url(subject.pk))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    recs = data["recommendations"]
    services = [r for r in recs if r["type"] == "service"]
    assert {r["service_type"] for r in services} == {"ai_bike", "lymph", "red"}  # never brain/pulse (used)
    top = services[0]
    assert top["service_type"] == "ai_bike"
    assert top["service_name"] == "AI 바이크"
    assert "체중 관리" in top["reason"]
    assert 0 < top["confidence_score"] <= 1
    assert top["confidence_score"] > services[-1]["confidence_score"]
    assert top["suggested_schedule"]["duration"] == "30분"
    assert top["recommendation_id"].startswith("rec_")
    [package] = [r for r in recs if r["type"] == "package"]
    assert package["package_name"] == "브레인 집중"
    details = package["package_details"]
    assert details["brain"] == 10 and details["pulse"] == 5
    assert details["total_sessions"] == 15
    assert details["price"] == 500000
    assert details["savings"] == 10 * 50000 + 5 * 40000 - 500000
    [schedule] = [r for r in recs if r["type"] == "schedule"]
    days = [slot["day"] for slot in schedule["weekly_plan"]]
    assert days[:2] == ["Monday", "Thursday"]
    assert all(slot["time"] == "10:00" for slot in schedule["weekly_plan"] if slot["day"] in ("Monday", "Thursday"))
    meta = data["recommendation_metadata"]
    assert meta["model_version"].startswith("item-knn-adjusted-cosine-1.0@")
    assert "peer_patterns" in meta["factors_considered"]
    assert meta["peer_customers"] == 41
    assert IssuedRecommendation.objects.filter(customer=subject).count() == len(recs)
    row = AuditLog.objects.get(action="view")
    assert row.customer_ids == [subject.pk]
    assert row.fields_health == ["health_goals"]
    assert sorted(row.query["recommendation_ids"]) == sorted(r["recommendation_id"] for r in recs)


def test_manager_sees_reason_without_health_goals(api_client_for, world):
    data = api_client_for("MANAGER").get(url(world["subject"].pk, type="service", count=1)).json()["data"]
    [rec] = data["recommendations"]
    assert rec["service_type"] == "ai_bike"
    assert "체중" not in rec["reason"]
    assert rec["reason"].startswith("미이용 서비스 중 비슷한 고객의 만족도가 높음")
    assert AuditLog.objects.get(action="view").fields_health == []


def test_ids_are_stable_and_cache_hit_is_audited(api_client_for, world):
    client = api_client_for("MANAGER")
    first = client.get(url(world["subject"].pk, type="service")).json()["data"]["recommendations"]
    second = client.get(url(world["subject"].pk, type="service")).json()["data"]["recommendations"]
    cache.clear()
    third = client.get(url(world["subject"].pk, type="service")).json()["data"]["recommendations"]
    assert [r["recommendation_id"] for r in first] == [r["recommendation_id"] for r in second]
    assert [r["recommendation_id"] for r in first] == [r["recommendation_id"] for r in third]
    assert [r.cache_hit for r in AuditLog.objects.filter(action="view").order_by("id")] == [False, True, False]


def test_rejected_service_is_not_offered_again(api_client_for, world, django_capture_on_commit_callbacks):
    client = api_client_for("MANAGER")
    subject = world["subject"]
    recs = client.get(url(subject.pk, type="service")).json()["data"]["recommendations"]
    top = recs[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            feedback_url(subject.pk, top["recommendation_id"]),
            {"action": "rejected", "feedback_score": 2, "comment": "운동은 싫어요"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["data"]["action"] == "rejected"
    fb = RecommendationFeedback.objects.get(customer=subject)
    assert (fb.recommendation_id, fb.item_type, fb.item_key, fb.feedback_score) == (
        top["recommendation_id"],
        "service",
        "ai_bike",
        2,
    )
    audit = AuditLog.objects.get(action="create")
    assert audit.customer_ids == [subject.pk]
    after = client.get(url(subject.pk, type="service")).json()["data"]
    assert "ai_bike" not in {r["service_type"] for r in after["recommendations"]}
    assert after["recommendation_metadata"]["excluded_by_feedback"] == ["service:ai_bike"]


def test_feedback_unknown_or_foreign_recommendation_is_404(api_client_for, world):
    client = api_client_for("MANAGER")
    subject = world["subject"]
    other = CustomerFactory()
    rid = client.get(url(subject.pk, type="service")).json()["data"]["recommendations"][0]["recommendation_id"]
    for cid, r in ((subject.pk, "rec_doesnotexist"), (other.pk, rid)):
        response = client.post(feedback_url(cid, r), {"action": "accepted"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "RECOMMENDATION_NOT_FOUND"
    response = client.post(feedback_url(999999, rid), {"action": "accepted"}, format="json")
    assert response.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
    assert not RecommendationFeedback.objects.exists()


@pytest.mark.parametrize("body", [{"action": "loved"}, {"action": "accepted", "feedback_score": 9}, {}])
def test_feedback_validation_changes_nothing(api_client_for, world, body):
    client = api_client_for("MANAGER")
    rid = client.get(url(world["subject"].pk, type="service")).json()["data"]["recommendations"][0]["recommendation_id"]
    response = client.post(feedback_url(world["subject"].pk, rid), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not RecommendationFeedback.objects.exists()
    assert not AuditLog.objects.filter(action="create").exists()


def test_staff_is_refused(api_client_for, world):
    client = api_client_for("STAFF")
    assert client.get(url(world["subject"].pk)).status_code == 403
    assert (
        client.post(feedback_url(world["subject"].pk, "rec_x"), {"action": "accepted"}, format="json").status_code
        == 403
    )
    assert not IssuedRecommendation.objects.exists()


def test_unknown_customer_and_bad_params(api_client_for, world):
    client = api_client_for("MANAGER")
    assert client.get(url(424242)).json()["error"]["code"] == "CUSTOMER_NOT_FOUND"
    for params in ({"type": "magic"}, {"count": 0}, {"count": 500}):
        response = client.get(url(world["subject"].pk, **params))
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_type_and_count_select(api_client_for, world):
    client = api_client_for("MANAGER")
    package_only = client.get(url(world["subject"].pk, type="package")).json()["data"]["recommendations"]
    assert [r["type"] for r in package_only] == ["package"]
    two = client.get(url(world["subject"].pk, type="service", count=2)).json()["data"]["recommendations"]
    assert len(two) == 2


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestRecommendationsContract(EndpointContract):
    url_name = "customer-recommendations"
    invalid_query = {"count": 0}
    audit_action = AuditLog.Action.VIEW

    @pytest.fixture
    def subject(self, center) -> Subject:
        return Subject(customer=center["customer"], query={"count": 3})


class TestFeedbackContract(EndpointContract):
    url_name = "customer-recommendation-feedback"
    method = "POST"
    success_status = 201
    audit_action = AuditLog.Action.CREATE

    @pytest.fixture
    def subject(self, center) -> Subject:
        issued = IssuedRecommendation.objects.create(
            id="rec_contract",
            customer=center["customer"],
            rec_type="service",
            item_key="red",
            model_version="contract",
            confidence_score=0.5,
        )
        return Subject(
            customer=center["customer"],
            url_kwargs={"recommendation_id": issued.pk},
            body={"action": "accepted", "feedback_score": 4},
        )

    def snapshot(self, subject: Subject) -> object:
        return super().snapshot(subject), RecommendationFeedback.objects.count()
