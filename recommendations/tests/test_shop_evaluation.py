"""The offline evaluation (``evaluate_product_recs``), its metrics and the content features."""

from __future__ import annotations

import datetime as dt
import json
import math
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from commerce.testing.factories import OrderFactory
from ml.models import ModelArtifact
from recommendations.shop.content import name_tokens
from recommendations.shop.training import ranking_metrics

from .shop_world import AS_OF, KST, build_world


def test_ranking_metrics_by_hand():
    top = np.array([[5, 1, 2], [3, 4, -1]])
    relevant = [np.array([1, 9]), np.array([7])]
    m = ranking_metrics(top, relevant, n_candidates=10, k=3)
    ndcg0 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m == {
        "users": 2,
        "hit_rate": 0.5,
        "ndcg": round(ndcg0 / 2, 4),
        "precision": round((1 / 3) / 2, 4),
        "recall": 0.25,
        "coverage": 0.5,
    }


def test_korean_names_give_morphemes_and_bigrams():
    tokens = name_tokens("순창 찹쌀고추장 1kg", "Sunchang Rice Gochujang 1kg")
    assert {"순창", "찹쌀", "고추장", "en:sunchang", "en:gochujang"} <= set(tokens)
    assert "bi:김치" in name_tokens("배추김치 3kg", "")
    assert "kg" not in tokens


@pytest.mark.django_db
def test_evaluate_command_on_a_fixed_log():
    w = build_world()
    after = dt.datetime(2026, 10, 20, 12, tzinfo=KST)
    p, u = w["p"], w["u"]
    OrderFactory(buyer=u["u9"], created_at=after, items=[(p["C"], 1, None)])
    OrderFactory(buyer=u["u1"], created_at=after, items=[(p["C"], 1, None), (p["A"], 1, None)])  # A is a repeat
    OrderFactory(buyer=u["u5"], created_at=after, items=[(p["F"], 1, None)])
    OrderFactory(buyer=u["new"], created_at=after, items=[(p["A"], 1, None)])  # no history: not evaluated
    out = StringIO()
    call_command(
        "evaluate_product_recs", "--as-of", AS_OF.isoformat(), "--days", "30", "--json", stdout=out, verbosity=0
    )
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (report["test_buyers"], report["test_pairs"]) == (3, 3)
    # all-time popularity: G 30, A 5, C 4, B 3, D 3, F 1 (E inactive). Lists without bought products:
    # u9 [G C B D F] → C 2nd; u1 [G C D F] → C 2nd; u5 [G A C B F] → F 5th.
    ndcg = (2 / math.log2(3) + 1 / math.log2(6)) / 3
    expected = {"users": 3, "hit_rate": 1.0, "ndcg": round(ndcg, 4), "precision": 0.1, "recall": 1.0, "coverage": 1.0}
    assert report["algorithms"]["popular_all_time"] == expected
    assert report["algorithms"]["popular_30d"] == expected  # every purchase falls in the last 30 days
    # collaborative: u9 → C first (sim with A); u1 (A, B) → C first; u5 → F via nothing: popularity
    assert report["algorithms"]["collaborative"]["ndcg"] > expected["ndcg"]
    for name in ("hybrid", "collaborative", "item_knn", "als", "content_based"):
        m = report["algorithms"][name]
        assert m["users"] == 3 and 0 <= m["hit_rate"] <= 1 and 0 <= m["coverage"] <= 1
    assert "hit@10" in out.getvalue()
    assert ModelArtifact.objects.count() == 0  # evaluation saves nothing


@pytest.mark.django_db
def test_train_command_saves_a_versioned_artifact():
    build_world()
    out = StringIO()
    call_command("train_product_recs", "--as-of", AS_OF.isoformat(), stdout=out, verbosity=0)
    art = ModelArtifact.objects.get(name="shop_product_recs")
    assert art.trained_as_of == AS_OF and art.metrics["products"] == 7 and art.metrics["buyers"] == 39
    assert "저장됨: shop_product_recs" in out.getvalue()


@pytest.mark.django_db
def test_train_command_refuses_a_future_date_and_an_empty_log():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="이후일 수 없습니다"):
        call_command("train_product_recs", "--as-of", "2999-01-01", stdout=StringIO(), verbosity=0)
    with pytest.raises(CommandError, match="구매 기록이 없습니다"):
        call_command("train_product_recs", "--as-of", AS_OF.isoformat(), stdout=StringIO(), verbosity=0)
    assert ModelArtifact.objects.count() == 0
