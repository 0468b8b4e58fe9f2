"""Scores, clauses, keywords and aspects of fixed sentences (model: tests' small corpus)."""

from __future__ import annotations

import numpy as np
import pytest

from ml.korean import kiwi
from ml.sentiment.analysis import clause_aspects, completed_clause_text, items_of, split_clauses
from ml.sentiment.evaluation import evaluate_probabilities, expected_calibration_error
from ml.sentiment.model import label_of, three_way
from ml.sentiment.scoring import RegistryBackend, analyze_texts
from ml.sentiment.text import lexicon_string, morph_string, normalize


@pytest.mark.parametrize("p", [0.0, 0.001, 0.2, 0.2192, 0.5, 0.61803, 0.7808, 0.95, 0.9999, 1.0])
def test_three_way_scores_sum_to_one(p):
    scores = three_way(p)
    assert set(scores) == {"positive", "neutral", "negative"}
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(0.0 <= v <= 1.0 for v in scores.values())


@pytest.mark.parametrize(
    ("p", "label"),
    [(0.05, "negative"), (0.2, "negative"), (0.25, "neutral"), (0.5, "neutral"), (0.75, "neutral"), (0.8, "positive")],
)
def test_neutral_is_the_band_where_the_call_is_uncertain(p, label):
    assert label_of(three_way(p)) == label


def _clauses(text: str) -> list[str]:
    norm = normalize(text)
    return [c.text for c in split_clauses(norm, items_of(kiwi().tokenize(norm)))]


def test_clauses_split_at_connective_endings_not_inside_negation():
    assert _clauses("배송은 느렸지만 맛은 최고예요") == ["배송은 느렸지만", "맛은 최고예요"]
    assert _clauses("정말 맛있어요! 배송도 빠르고 친절하네요.") == ["정말 맛있어요", "배송도 빠르고", "친절하네요"]
    assert _clauses("맛은 있는데 양이 너무 적어요") == ["맛은 있는데", "양이 너무 적어요"]
    assert _clauses("맛이 없지는 않아요") == ["맛이 없지는 않아요"]
    assert _clauses("신선하고 맛있는데 가격이 좀 비싸요") == ["신선하고", "맛있는데", "가격이 좀 비싸요"]
    # -ㄴ데 after a vowel or the copula: Kiwi writes the ending "ᆫ데" (U+11AB), not "ㄴ데" (U+3134)
    assert _clauses("맛은 최고인데 가격이 사악하네요") == ["맛은 최고인데", "가격이 사악하네요"]
    assert _clauses("가격이 비싼데 맛은 최고예요") == ["가격이 비싼데", "맛은 최고예요"]
    assert _clauses("포장은 엉망인데도 맛은 좋아요") == ["포장은 엉망인데도", "맛은 좋아요"]


def test_prefixed_lemmas():
    from ml.sentiment.analysis import lemmas

    assert lemmas(items_of(kiwi().tokenize("사장님이 불친절해요"))) == ["사장", "불친절하다"]


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("완전 총알배송", {"delivery"}),
        ("가성비 최고", {"price"}),
        ("포장이 꼼꼼해요", {"packaging"}),
        ("사장님이 친절해요", {"service"}),
        ("품질이 좋아요", {"quality"}),
        ("그냥 그래요", set()),
    ],
)
def test_clause_aspects(text, aspects):
    norm = normalize(text)
    (clause,) = split_clauses(norm, items_of(kiwi().tokenize(norm)))
    assert clause_aspects(clause) == aspects


def _lexicon(text: str) -> str:
    norm = normalize(text)
    return lexicon_string(norm, morph_string(kiwi().tokenize(norm)))


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("완전 거북이배송", "LEX-"),
        ("완전 거북이 배송", "LEX-"),
        ("완전 총알배송", "LEX+"),
        ("정말 맛있어요! 배송도 빠르고 친절하네요.", "LEX+ LEX+ LEX+"),
        ("맛없지 않아요", "NOT:맛없다 LEX¬-"),
        ("맛이 없지는 않아요", "NOT:맛없다 LEX¬-"),
        ("나쁘지 않아요", "NOT:나쁘다 LEX¬-"),
        ("맛있지 않아요", "NOT:맛있다 LEX¬+"),
        ("안 좋아요", "NOT:좋다 LEX¬+"),
        ("불친절하지 않아요", "NOT:불친절하다 LEX¬-"),
        ("안 친절해요", "NOT:친절하다 LEX¬+"),
        ("그냥 그래요", ""),
    ],
)
def test_lexicon_tokens_with_negation(text, tokens):
    assert _lexicon(text) == tokens


@pytest.fixture(scope="module")
def backend(fitted_sentiment_model):
    return RegistryBackend(version="test", model=fitted_sentiment_model)


def _one(backend, text: str) -> dict:
    (result,) = analyze_texts([text], backend=backend)
    return result


def test_seed_example(backend):
    r = _one(backend, "정말 맛있어요! 배송도 빠르고 친절하네요.")
    assert r["sentiment"] == "positive"
    assert r["confidence"] == r["scores"]["positive"] > 0.9
    assert [k["word"] for k in r["keywords"]] == ["맛있다", "친절하다", "빠르다", "배송"]
    assert all(0 < k["importance"] <= 1 for k in r["keywords"])
    assert {a: v["sentiment"] for a, v in r["aspects"].items()} == {
        "taste": "positive",
        "delivery": "positive",
        "service": "positive",
    }


@pytest.mark.parametrize(
    ("clause", "sentence"),
    [
        ("배송은 빨랐지만", "배송은 빨랐어요"),
        ("배송은 느렸지만", "배송은 느렸어요"),
        ("가격이 좀 비싸지만", "가격이 좀 비싸요"),
        ("맛은 있는데", "맛은 있어요"),
        ("맛있는데", "맛있어요"),  # 맛있/VA 는/ETM 데/NNB
        ("가격이 비싼데", "가격이 비싸요"),  # 비싸/VA ᆫ데/EC
        ("포장은 엉망인데도", "포장은 엉망이에요"),  # ᆫ데/EC 도/JX
        ("신선하고", "신선해요"),
        ("양이 적어서", "양이 적어요"),
        ("포장이 엉망이어서", "포장이 엉망이에요"),  # the copula takes 에요
        ("맛은 최고예요", None),  # already a sentence
        ("완전 총알배송", None),  # no predicate
        ("맛이 별로라", None),  # Kiwi reads 라 as a sentence ending here
        ("ㅋㅋ 맛있는데", "ㅋㅋ 맛있어요"),  # the text before the ending is kept as written
        ("100% 만족했지만", "100% 만족했어요"),
        ("가격이 3만원이지만", "가격이 3만원이에요"),
        ("!!!지만", None),  # no predicate, only a copula Kiwi supplied
        ("ㅋ지만", None),
    ],
)
def test_a_clause_cut_at_a_connective_is_completed_as_a_sentence(clause, sentence):
    assert completed_clause_text(clause, kiwi()) == sentence


class RecordingBackend:
    """Gives p = 0.9 to everything and keeps what it was asked."""

    version = "recording"
    keyword_idf: dict = {}
    keyword_default_idf = 1.0

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.morphs: list[str] = []

    def positive_probability(self, texts, morphs):
        self.texts += texts
        self.morphs += morphs
        return np.full(len(texts), 0.9)


def test_aspects_are_scored_on_their_clauses_as_sentences():
    recorder = RecordingBackend()
    analyze_texts(["배송은 빨랐지만 가격이 좀 비싸요"], backend=recorder)
    # the review as written, then each aspect's clause, the cut one completed
    assert recorder.texts == ["배송은 빨랐지만 가격이 좀 비싸요", "배송은 빨랐어요", "가격이 좀 비싸요"]
    assert recorder.morphs[1] == "배송/NNG 은/JX 빠르다/VA 었/EP 어요/EF"


def test_mixed_aspects_are_scored_on_their_own_clauses(backend):
    r = _one(backend, "배송은 느렸지만 맛은 최고예요")
    assert {a: v["sentiment"] for a, v in r["aspects"].items()} == {"delivery": "negative", "taste": "positive"}
    assert {k["word"] for k in r["keywords"]} == {"배송", "느리다", "맛", "최고"}


@pytest.mark.parametrize(("text", "sentiment"), [("완전 총알배송", "positive"), ("완전 거북이배송", "negative")])
def test_slang_delivery(backend, text, sentiment):
    r = _one(backend, text)
    assert r["sentiment"] == sentiment
    assert r["aspects"] == {"delivery": {"sentiment": sentiment, "score": r["aspects"]["delivery"]["score"]}}
    assert [k["word"] for k in r["keywords"]][-1] == "배송"


def test_tasty_but_too_little_is_negative(backend):
    r = _one(backend, "맛은 있는데 양이 너무 적어요")
    assert r["sentiment"] == "negative"
    assert [k["word"] for k in r["keywords"]] == ["양", "적다", "맛"]
    assert set(r["aspects"]) == {"taste"}


def test_double_negation_is_not_negative(backend):
    # "나쁘지 않아요", "비싸지 않아요" are praise in the corpus: a negated negative word (LEX¬-) is
    # learned as positive, and the lexicon layer keeps P(positive) at least at its floor
    r = _one(backend, "맛없지 않아요")
    assert r["sentiment"] == "positive"
    assert r["aspects"] == {"taste": {"sentiment": "positive", "score": r["confidence"]}}


def test_aspects_not_mentioned_are_absent_and_stop_words_dropped(backend):
    r = _one(backend, "그냥 그래요")
    assert r["aspects"] == {}
    assert r["keywords"] == []
    assert sum(r["scores"].values()) == pytest.approx(1.0)


def test_batch_equals_one_by_one(backend):
    texts = ["완전 총알배송", "맛은 있는데 양이 너무 적어요", "포장이 엉망이에요"]
    assert analyze_texts(texts, backend=backend) == [_one(backend, t) for t in texts]


def test_ece_and_evaluation_figures():
    p = np.array([0.9, 0.9, 0.1, 0.6])
    y = np.array([1, 0, 0, 1])
    # bins: conf 0.9 → acc 2/3 over three items, conf 0.6 → acc 1 → |2/3−0.9|·3/4 + |1−0.6|·1/4
    assert expected_calibration_error(p, y) == pytest.approx(abs(2 / 3 - 0.9) * 0.75 + 0.4 * 0.25)
    m = evaluate_probabilities(p, y)
    assert m["accuracy"] == 0.75
    assert m["confusion_binary"] == {
        "positive": {"positive": 2, "negative": 0},
        "negative": {"positive": 1, "negative": 1},
    }
    assert m["confusion_three_way"]["positive"] == {"positive": 1, "neutral": 1, "negative": 0}
    assert m["neutral_share"] == 0.25
