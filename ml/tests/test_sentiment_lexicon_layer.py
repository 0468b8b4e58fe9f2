"""The lexicon layer: the lexicon's reading of a text, where it fires, the floors estimated
from the training corpus, and its effect on whole reviews and on aspect clauses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ml.korean import kiwi
from ml.sentiment.model import LexiconLayer, three_way
from ml.sentiment.scoring import RegistryBackend, analyze_texts
from ml.sentiment.text import lexicon_signals, morph_string, normalize
from ml.sentiment.training import fit_lexicon_layer

# floors as in the full model's layer (docs/sentiment.md); 총알배송 is frequent enough to be learned
LAYER = LexiconLayer(negation_floor=0.83, phrase_floor=0.94, phrases=frozenset({"거북이배송", "달팽이배송", "노맛"}))


def _parse(text: str) -> tuple[str, str]:
    norm = normalize(text)
    return norm, morph_string(kiwi().tokenize(norm))


@pytest.mark.parametrize(
    ("text", "signals"),
    [
        ("완전 거북이배송", [("phrase:거북이배송", -1)]),
        ("완전 거북이 배송", [("phrase:거북이배송", -1)]),
        ("완전 총알배송", [("phrase:총알배송", 1)]),
        ("맛없지 않아요", [("negated-negative", 1)]),
        ("맛이 없지는 않아요", [("negated-negative", 1)]),
        ("나쁘지 않아요", [("negated-negative", 1)]),
        ("안 나빠요", [("negated-negative", 1)]),
        ("안 비싸요", [("negated-negative", 1)]),
        ("별로 안 좋아요", [("word", -1), ("negated-positive", -1)]),
        ("나쁘지 않은데 너무 비싸요", [("negated-negative", 1), ("word", -1)]),
        ("배송은 느렸지만 맛은 최고예요", [("word", -1), ("word", 1)]),
        ("배송이 거북이네요", []),
    ],
)
def test_lexicon_signals(text, signals):
    assert lexicon_signals(*_parse(text)) == signals


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("완전 거북이배송", (0.0, 0.06)),
        ("달팽이 배송이네요", (0.0, 0.06)),
        ("완전 총알배송", (0.0, 1.0)),  # learned from the corpus: the model decides
        ("맛없지 않아요", (0.83, 1.0)),
        ("나쁘지 않아요", (0.83, 1.0)),
        ("나쁘지 않고 맛있어요", (0.83, 1.0)),
        ("나쁘지 않은데 너무 비싸요", (0.0, 1.0)),  # mixed signals
        ("거북이배송이지만 맛있어요", (0.0, 1.0)),
        ("배송은 느렸지만 맛은 최고예요", (0.0, 1.0)),
        ("맛있지 않아요", (0.0, 1.0)),  # negated positives are left to the model
        ("그냥 그래요", (0.0, 1.0)),
    ],
)
def test_where_the_layer_fires(text, bounds):
    assert LAYER.bounds(*_parse(text)) == pytest.approx(bounds)


def test_apply_only_moves_probabilities_past_the_bounds():
    texts = ["완전 거북이배송", "완전 거북이배송", "맛없지 않아요", "맛없지 않아요", "그냥 그래요"]
    parsed = [_parse(t) for t in texts]
    probs = np.array([0.45, 0.01, 0.06, 0.97, 0.3])
    out = LAYER.apply(probs, [t for t, _ in parsed], [m for _, m in parsed])
    assert out.tolist() == pytest.approx([0.06, 0.01, 0.83, 0.97, 0.3])


def test_fit_estimates_the_floors_as_smoothed_lexicon_precision():
    signals = [
        [("negated-negative", 1)],  # fires, positive review
        [("negated-negative", 1), ("word", 1)],  # fires, positive
        [("negated-negative", 1)],  # fires, negative
        [("negated-negative", 1), ("word", -1)],  # mixed: not counted
        [("phrase:노잼", -1)],  # 노잼 seen twice: frequent with min_count 2, right once
        [("phrase:노잼", -1)],
        [("phrase:거북이배송", -1)],  # seen once: unlearned
        [],
    ]
    y = np.array([1, 1, 0, 1, 0, 1, 0, 1])
    lengths = np.array([4, 6, 5, 7, 3, 3, 4, 2])
    layer, stats = fit_lexicon_layer(signals, lengths, y, np.arange(len(y)), min_count=2, max_morphemes=15)
    assert layer.negation_floor == pytest.approx(round(3 / 5, 4))  # (2 + 1) / (3 + 2)
    assert layer.phrase_floor == pytest.approx(0.5)  # (1 + 1) / (2 + 2)
    assert "거북이배송" in layer.phrases and "노잼" not in layer.phrases
    assert stats["negated_negative_reviews"] == 3 and stats["phrase_counts"]["노잼"] == 2
    # only the given rows count
    layer, stats = fit_lexicon_layer(signals, lengths, y, np.array([0, 4]), min_count=2, max_morphemes=15)
    assert layer.negation_floor == pytest.approx(round(2 / 3, 4)) and "노잼" in layer.phrases
    # long texts do not count for the negation floor
    layer, stats = fit_lexicon_layer(signals, lengths, y, np.arange(len(y)), min_count=2, max_morphemes=4)
    assert stats["negated_negative_reviews"] == 1 and layer.negation_floor == pytest.approx(round(2 / 3, 4))


def test_trained_model_carries_the_layer_estimated_on_its_corpus(fitted_sentiment_model):
    layer = fitted_sentiment_model.lexicon_layer
    info = fitted_sentiment_model.info["lexicon_layer"]
    # the corpus: 21 of 21 reviews whose only lexicon reading is a negated negative are positive;
    # no slang phrase occurs 20 times, so every phrase is "unlearned" and its floor is 1/2
    assert info["estimate"]["negated_negative_reviews"] == info["estimate"]["negated_negative_positive"] == 21
    assert layer.negation_floor == info["negation_floor"] == round(22 / 23, 4)
    assert layer.phrase_floor == 0.5
    assert {"거북이배송", "달팽이배송", "총알배송", "노맛"} <= layer.phrases
    assert info["validation"]["fired"] == 3
    assert info["validation"]["sentineg"] == {"n": 11, "before": 1.0, "after": 1.0}


@pytest.fixture(scope="module")
def layered(fitted_sentiment_model):
    return RegistryBackend(version="test", model=fitted_sentiment_model)


@pytest.fixture(scope="module")
def bare(fitted_sentiment_model):
    return RegistryBackend(version="test", model=dataclasses.replace(fitted_sentiment_model, lexicon_layer=None))


def _one(backend, text: str) -> dict:
    (result,) = analyze_texts([text], backend=backend)
    return result


@pytest.mark.parametrize(
    ("text", "sentiment", "aspects"),
    [
        ("완전 거북이배송", "negative", {"delivery": "negative"}),
        ("완전 달팽이배송", "negative", {"delivery": "negative"}),
        ("완전 총알배송", "positive", {"delivery": "positive"}),
        ("맛없지 않아요", "positive", {"taste": "positive"}),
        ("나쁘지 않아요", "positive", {}),
        ("안 나빠요", "positive", {}),
        ("배송은 느렸지만 맛은 최고예요", "positive", {"delivery": "negative", "taste": "positive"}),
        ("배송은 달팽이배송이었지만 맛은 최고예요", "positive", {"delivery": "negative", "taste": "positive"}),
        ("배송은 빨랐지만 맛이 없지는 않아요", "positive", {"delivery": "positive", "taste": "positive"}),
        ("포장이 엉망이라 다 터져서 왔어요", "negative", {"packaging": "negative"}),
    ],
)
def test_shopping_sentences(layered, text, sentiment, aspects):
    r = _one(layered, text)
    assert r["sentiment"] == sentiment
    assert {a: v["sentiment"] for a, v in r["aspects"].items()} == aspects


def test_the_layer_raises_a_double_negation_to_its_floor(layered, bare, fitted_sentiment_model):
    floor = fitted_sentiment_model.lexicon_layer.negation_floor
    assert _one(bare, "안 나빠요")["scores"]["positive"] < three_way(floor)["positive"]
    assert _one(layered, "안 나빠요")["scores"] == three_way(floor)
    # above the floor the model's own probability stands
    assert _one(layered, "나쁘지 않아요")["scores"] == _one(bare, "나쁘지 않아요")["scores"]


def test_aspect_clauses_get_the_layer_too(layered, bare, fitted_sentiment_model):
    text = "배송은 빨랐지만 맛이 없지는 않아요"
    with_layer, without = _one(layered, text), _one(bare, text)
    # the taste clause "맛이 없지는 않아요" alone is a double negation: raised to the floor
    assert without["aspects"]["taste"]["sentiment"] == "neutral"
    floor = three_way(fitted_sentiment_model.lexicon_layer.negation_floor)
    assert with_layer["aspects"]["taste"] == {"sentiment": "positive", "score": floor["positive"]}
    # the delivery clause has no negated negative and keeps its score
    assert with_layer["aspects"]["delivery"] == without["aspects"]["delivery"]
