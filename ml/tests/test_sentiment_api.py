"""POST /api/v1/ml/sentiment/analyze (seed 000 §4.2; MANAGER, analytics limit)."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from commerce.models import Review
from commerce.testing.factories import ReviewFactory
from ml.api.serializers import MAX_BATCH, MAX_TEXT_CHARS

URL = "/api/v1/ml/sentiment/analyze"
pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(api_client_for):
    return api_client_for("MANAGER")


def _post(client, body):
    return client.post(URL, body, format="json")


def test_seed_shape(manager, sentiment_model):
    response = _post(manager, {"review_id": 1, "text": "정말 맛있어요! 배송도 빠르고 친절하네요.", "language": "ko"})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert list(data) == ["review_id", "sentiment", "confidence", "scores", "keywords", "aspects"]
    assert data["review_id"] == 1  # text wins, the id is echoed (no review 1 exists)
    assert data["sentiment"] == "positive"
    assert data["confidence"] == data["scores"]["positive"]
    assert set(data["scores"]) == {"positive", "neutral", "negative"}
    assert sum(data["scores"].values()) == pytest.approx(1.0)
    assert [k["word"] for k in data["keywords"]] == ["맛있다", "친절하다", "빠르다", "배송"]
    assert set(data["aspects"]) == {"taste", "delivery", "service"}
    assert all(set(v) == {"sentiment", "score"} for v in data["aspects"].values())
    assert not AuditLog.objects.filter(path=URL).exists()  # no stored customer data was read


def test_text_alone_has_null_review_id(manager, sentiment_model):
    data = _post(manager, {"text": "배송은 느렸지만 맛은 최고예요"}).json()["data"]
    assert data["review_id"] is None
    assert {a: v["sentiment"] for a, v in data["aspects"].items()} == {"delivery": "negative", "taste": "positive"}


def test_review_id_alone_reads_the_stored_review_and_audits(manager, sentiment_model, users):
    review = ReviewFactory(content="완전 거북이배송")
    response = _post(manager, {"review_id": review.pk})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["review_id"] == review.pk
    assert data["sentiment"] == "negative"
    assert data["aspects"]["delivery"]["sentiment"] == "negative"
    row = AuditLog.objects.get(path=URL)
    assert row.action == "view"
    assert row.customer_ids == [review.customer_id]
    assert row.actor_name == users["MANAGER"].username
    assert row.query == {"entity": "review", "review_ids": [review.pk], "purpose": "sentiment"}


def test_unknown_review_id(manager, sentiment_model):
    response = _post(manager, {"review_id": 987654})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "REVIEW_NOT_FOUND"
    assert error["message"] == "리뷰를 찾을 수 없습니다"
    assert error["details"] == {"review_id": 987654}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\t "}, "text"),
        ({"text": "가" * (MAX_TEXT_CHARS + 1)}, "text"),
        ({"text": "Great product, fast delivery"}, "text"),
        ({"text": "맛있어요", "language": "en"}, "language"),
        ({}, "text"),
        ({"review_id": 0}, "review_id"),
        ({"text": 123}, None),
        ({"reviews": []}, "reviews"),
        ({"reviews": [{"text": "좋아요"}] * (MAX_BATCH + 1)}, "reviews"),
        ({"reviews": [{"text": "좋아요"}], "text": "좋아요"}, "reviews"),
    ],
)
def test_validation_errors_change_nothing(manager, sentiment_model, body, field):
    review = ReviewFactory(content="맛있어요")
    audit_before = AuditLog.objects.count()
    response = _post(manager, body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    if field is not None:
        assert field in error["details"]["fields"] if "fields" in error["details"] else field in error["details"]
    assert AuditLog.objects.count() == audit_before
    review.refresh_from_db()
    assert review.sentiment == "" and review.sentiment_model_version == ""


def test_korean_validation_messages(manager, sentiment_model):
    details = _post(manager, {"text": "  "}).json()["error"]["details"]
    assert "리뷰 내용이 비어 있습니다" in str(details)
    details = _post(manager, {"text": "nice"}).json()["error"]["details"]
    assert "한국어 리뷰만 분석할 수 있습니다" in str(details)
    # DRF's own Korean catalog says "blank" here; locale/ko overrides it
    details = _post(manager, {"text": "맛있어요", "language": ""}).json()["error"]["details"]
    assert details["fields"]["language"] == ["이 필드는 비워 둘 수 없습니다."]


def test_batch(manager, sentiment_model):
    review = ReviewFactory(content="포장이 엉망이에요")
    body = {
        "reviews": [{"text": "완전 총알배송"}, {"review_id": review.pk}, {"review_id": 5, "text": "완전 거북이배송"}]
    }
    response = _post(manager, body)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["count"] == 3
    assert [(r["review_id"], r["sentiment"]) for r in data["results"]] == [
        (None, "positive"),
        (review.pk, "negative"),
        (5, "negative"),
    ]
    assert data["results"][1]["aspects"]["packaging"]["sentiment"] == "negative"
    assert AuditLog.objects.get(path=URL).customer_ids == [review.customer_id]


def test_batch_with_unknown_review_answers_404_and_scores_nothing(manager, sentiment_model):
    response = _post(manager, {"reviews": [{"text": "좋아요"}, {"review_id": 424242}]})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "REVIEW_NOT_FOUND"


def test_without_a_trained_model(manager, db):
    response = _post(manager, {"text": "맛있어요"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "MODEL_NOT_TRAINED"


@pytest.mark.parametrize(("role", "status"), [("STAFF", 403), ("MANAGER", 200), ("ADMIN", 200)])
def test_roles(api_client_for, sentiment_model, role, status):
    response = _post(api_client_for(role), {"text": "맛있어요"})
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"


def test_anonymous(api_client, sentiment_model):
    response = _post(api_client, {"text": "맛있어요"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "MISSING_TOKEN"


def test_analytics_rate_limit(manager, sentiment_model, settings):
    settings.RATE_LIMIT_OVERRIDES = {"analytics": "2/h"}
    statuses = [_post(manager, {"text": "맛있어요"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_stored_reviews_are_not_written_by_the_api(manager, sentiment_model):
    review = ReviewFactory(content="맛있어요")
    _post(manager, {"review_id": review.pk})
    assert Review.objects.get(pk=review.pk).sentiment == ""
