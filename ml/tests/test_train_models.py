from io import StringIO

import pytest
from django.core.management import call_command

from ml.models import ModelArtifact
from ml.registry import artifact_save


@pytest.mark.django_db
def test_train_models_without_history_reports_why_and_saves_nothing():
    out, err = StringIO(), StringIO()
    call_command("train_models", stdout=out, stderr=err)
    assert "train_center_churn: 이용 기록이 없습니다" in err.getvalue()
    assert "train_shop_churn:" in err.getvalue()
    assert "train_product_recs:" in err.getvalue()
    assert "estimate_price_elasticity: 주문 이력이 없습니다" in err.getvalue()
    assert ModelArtifact.objects.count() == 0


@pytest.mark.django_db
def test_train_models_if_missing_skips_trained_models():
    for name in ("center_churn", "shop_churn", "review_sentiment", "shop_product_recs", "price_elasticity"):
        artifact_save(name=name, model={"fitted": True}, trained_as_of=None, metrics={}, params={})
    out = StringIO()
    call_command("train_models", "--if-missing", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        "center_churn: 이미 학습됨, 건너뜀",
        "shop_churn: 이미 학습됨, 건너뜀",
        "review_sentiment: 이미 학습됨, 건너뜀",
        "shop_product_recs: 이미 학습됨, 건너뜀",
        "price_elasticity: 이미 학습됨, 건너뜀",
    ]
    assert ModelArtifact.objects.count() == 5
