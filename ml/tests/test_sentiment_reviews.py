"""Scoring stored reviews (command, Celery task), training/evaluation commands, the admin."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from commerce.models import Review
from commerce.selectors.products import product_review_sentiment_summary
from commerce.testing.factories import ProductFactory, ReviewFactory
from ml.models import ModelArtifact
from ml.sentiment.reviews import reviews_score
from ml.sentiment.scoring import ANALYSIS_REVISION
from ml.tasks import score_new_reviews

pytestmark = pytest.mark.django_db


def _state() -> list[tuple]:
    return list(
        Review.objects.order_by("pk").values_list(
            "pk", "sentiment", "sentiment_scores", "sentiment_aspects", "sentiment_model_version", "sentiment_scored_at"
        )
    )


def test_score_reviews_writes_every_review_once(sentiment_model):
    product = ProductFactory()
    mixed = ReviewFactory(product=product, content="배송은 느렸지만 맛은 최고예요")
    bad = ReviewFactory(product=product, content="완전 거북이배송")
    empty = ReviewFactory(product=product, content="  ")
    out = StringIO()
    call_command("score_reviews", stdout=out)
    assert "2건 분석" in out.getvalue()
    mixed.refresh_from_db()
    bad.refresh_from_db()
    assert mixed.sentiment_aspects == {
        "delivery": {"sentiment": "negative", "score": mixed.sentiment_aspects["delivery"]["score"]},
        "taste": {"sentiment": "positive", "score": mixed.sentiment_aspects["taste"]["score"]},
    }
    assert bad.sentiment == "negative"
    assert sum(bad.sentiment_scores.values()) == pytest.approx(1.0)
    assert bad.sentiment_model_version == f"review_sentiment@{sentiment_model.version}/a{ANALYSIS_REVISION}"
    assert bad.sentiment_scored_at is not None
    empty.refresh_from_db()
    assert empty.sentiment == "" and empty.sentiment_scored_at is None

    before = _state()
    out = StringIO()
    call_command("score_reviews", stdout=out)  # idempotent: nothing left to do, nothing rewritten
    assert "0건 분석" in out.getvalue()
    assert _state() == before


def test_new_model_version_rescores_and_rescore_flag(sentiment_model, fitted_sentiment_model):
    review = ReviewFactory(content="완전 총알배송")
    assert reviews_score()["scored"] == 1
    from ml.registry import artifact_save

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):  # versions are per second + bytes
        newer = artifact_save(
            name="review_sentiment", model=fitted_sentiment_model, trained_as_of=None, metrics={}, params={}
        )
    assert reviews_score() == {"scored": 1, "model_version": f"review_sentiment@{newer.version}/a{ANALYSIS_REVISION}"}
    review.refresh_from_db()
    assert review.sentiment_model_version == f"review_sentiment@{newer.version}/a{ANALYSIS_REVISION}"
    assert reviews_score()["scored"] == 0
    assert reviews_score(rescore=True)["scored"] == 1


def test_a_new_analysis_revision_rescores(sentiment_model, monkeypatch):
    ReviewFactory(content="배송은 빨랐지만 포장이 엉망이에요")
    assert reviews_score()["scored"] == 1
    assert reviews_score()["scored"] == 0
    monkeypatch.setattr("ml.sentiment.scoring.ANALYSIS_REVISION", ANALYSIS_REVISION + 1)
    # the clause rules changed: the same model scores every review again, once
    again = reviews_score()
    assert again["scored"] == 1 and again["model_version"].endswith(f"/a{ANALYSIS_REVISION + 1}")
    assert reviews_score()["scored"] == 0


def test_celery_task_scores_new_reviews(sentiment_model):
    ReviewFactory(content="포장이 꼼꼼해요")
    result = score_new_reviews.delay()
    assert result.get() == 1
    assert score_new_reviews.delay().get() == 0
    assert Review.objects.get().sentiment == "positive"


def test_task_without_model_does_nothing(db):
    ReviewFactory(content="포장이 꼼꼼해요")
    assert score_new_reviews.delay().get() == 0
    assert Review.objects.get().sentiment == ""


def test_score_reviews_without_model_fails_clearly(db):
    with pytest.raises(CommandError, match="학습되지 않았습니다"):
        call_command("score_reviews", stdout=StringIO())


def test_product_summary(sentiment_model):
    product = ProductFactory()
    for text in ("배송은 느렸지만 맛은 최고예요", "완전 거북이배송", "맛있어요", "그냥 그래요"):
        ReviewFactory(product=product, content=text)
    ReviewFactory(content="맛없어요")  # another product
    reviews_score()
    summary = product_review_sentiment_summary(product_id=product.pk)
    assert summary["scored"] == 4
    counts = summary["counts"]
    assert counts["positive"] == 2 and counts["negative"] + counts["neutral"] == 2
    assert summary["positive_share"] == 0.5
    assert summary["aspects"]["taste"]["positive"] == 2
    assert summary["aspects"]["delivery"]["negative"] == 2


def test_admin_shows_sentiment_filters_and_product_summary(client, make_user, sentiment_model):
    product = ProductFactory()
    ReviewFactory(product=product, content="배송은 느렸지만 맛은 최고예요")
    ReviewFactory(product=product, content="맛있어요")
    reviews_score()
    admin = make_user("ADMIN", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/commerce/review/?aspect=delivery:negative").content.decode()
    assert "배송−" in page and "맛+" in page
    assert page.count("배송은 느렸지만") == 1
    assert "맛있어요</td>" not in page
    page = client.get("/admin/commerce/review/?sentiment__exact=positive").content.decode()
    assert "긍정" in page
    page = client.get(f"/admin/commerce/product/{product.pk}/change/").content.decode()
    assert "분석된 리뷰 2건 · 긍정 100%" in page
    assert "혹평: 배송 1건" in page
    # the review page: scores and aspects in Korean, no raw JSON keys
    mixed = product.reviews.get(content="배송은 느렸지만 맛은 최고예요")
    page = client.get(f"/admin/commerce/review/{mixed.pk}/change/").content.decode()
    delivery, taste = mixed.sentiment_aspects["delivery"], mixed.sentiment_aspects["taste"]
    assert f"배송 부정 ({delivery['score']:.2f})" in page and delivery["sentiment"] == "negative"
    assert f"맛 긍정 ({taste['score']:.2f})" in page and taste["sentiment"] == "positive"
    scores = mixed.sentiment_scores
    assert f"긍정 {scores['positive'] * 100:.1f}% · 중립 {scores['neutral'] * 100:.1f}%" in page
    assert '"positive"' not in page and "sentiment_scores" not in page


def test_train_and_evaluate_commands(sentiment_corpus_dir, db):
    out = StringIO()
    call_command("train_sentiment", "--fast", "--data-dir", str(sentiment_corpus_dir), stdout=out)
    # the lexicon layer estimated on the tests' corpus (21 of 21 double negations are praise)
    assert "어휘 규칙: 부정된 부정어 하한 P(긍정) ≥ 0.9565, 미학습 속어 16개 (≥ 0.5 또는 ≤ 0.5000)" in out.getvalue()
    artifact = ModelArtifact.objects.get(name="review_sentiment")
    assert "e9t/nsmc" in artifact.params["attribution"] and "CC BY-SA 4.0" in artifact.params["attribution"]
    assert set(artifact.metrics) == {"nsmc_test", "sentineg_dev"}
    assert artifact.metrics["sentineg_dev"]["accuracy"] >= 0.9
    assert artifact.params["size_bytes"] > 0
    out = StringIO()
    call_command("evaluate_sentiment", "--data-dir", str(sentiment_corpus_dir), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "[nsmc_test]" in text and "[sentineg_dev]" in text and "ECE" in text and "혼동 행렬" in text
    assert "[측면 절 점검] 손으로 쓴 30개 절" in text and "문장으로 완성: 극성 정확도" in text
    out = StringIO()
    call_command("evaluate_sentiment", "--data-dir", str(sentiment_corpus_dir), "--json", stdout=out, stderr=StringIO())
    clauses = json.loads(out.getvalue())["aspect_clauses"]
    assert clauses["n"] == 30
    assert set(clauses["as_written"]) == set(clauses["completed"]) == {"accuracy", "called_right"}
    assert all(0.0 <= v <= 1.0 for part in ("as_written", "completed") for v in clauses[part].values())


def test_train_without_corpus_fails_clearly(db, tmp_path):
    with pytest.raises(CommandError, match="말뭉치가 없습니다"):
        call_command("train_sentiment", "--data-dir", str(tmp_path), stdout=StringIO())
