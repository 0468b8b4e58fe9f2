"""``bench_sentiment`` runs end to end on the tests' model: load, memory, single-review and API
latency, and the batch throughput of one process and of two forked ones."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_bench_sentiment_measures_everything(sentiment_model, tmp_path, settings):
    settings.SENTIMENT_DATA_DIR = str(tmp_path / "no-corpora")  # the built-in shop reviews
    out = StringIO()
    target = tmp_path / "bench" / "sentiment.json"
    call_command(
        "bench_sentiment",
        "--single",
        "3",
        "--batch-reviews",
        "40",
        "--batch-size",
        "10",
        "--processes",
        "2",
        "--json",
        str(target),
        stdout=out,
    )
    result = json.loads(target.read_text())
    assert result["texts"] == "built-in shop reviews"
    assert result["model_version"] == f"review_sentiment@{sentiment_model.version}"
    assert set(result["single_ms"]) == set(result["api_single_ms"]) == {"p50", "p95"}
    assert result["batch"]["reviews"] == 40 and result["batch"]["reviews_per_s"] > 0
    assert result["batch"]["parallel"]["processes"] == 2 and result["batch"]["parallel"]["reviews_per_s"] > 0
    assert result["rss_after_kiwi_mb"] >= result["rss_start_mb"] > 0
    assert "(2 프로세스 합계)" in out.getvalue()
