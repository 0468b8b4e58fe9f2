"""The sentiment model's parts: the full member set, the stored network weights, stacking, and
artifacts of the first version (one NB-LR + Platt) still loading."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ml.korean import kiwi
from ml.sentiment.model import Member, MLPMember, SentimentModel, SigmoidCalibrator
from ml.sentiment.text import morph_string, normalize, split_tokens
from ml.sentiment.training import DEFAULT_MEMBERS, TrainConfig, holdout_mask, train

TEXTS = ["완전 총알배송", "완전 거북이배송", "맛없지 않아요", "배송은 느렸지만 맛은 최고예요"]


def _morphs(texts: list[str]) -> list[str]:
    return [morph_string(kiwi().tokenize(normalize(t))) for t in texts]


@pytest.fixture(scope="module")
def full_model(sentiment_corpus_dir):
    return train(
        TrainConfig(data_dir=sentiment_corpus_dir, cache_dir=sentiment_corpus_dir, members=DEFAULT_MEMBERS, mlp_seeds=2)
    )


def test_full_member_set(full_model):
    assert [m.name for m in full_model.members] == ["morph-lr", "char-mlp", "morph-mlp", "morph-gru"]
    assert [v.name for v in full_model.views] == ["char", "morph", "lexicon"]
    char_mlp = full_model.members[1]
    assert char_mlp.views == ("char",)
    # two seeds side by side: 2 × 32 hidden units, one per feature row
    assert char_mlp.w1.shape == (len(full_model.views[0].vectorizer.vocabulary_), 64)
    assert char_mlp.w1.dtype == np.float32
    gru = full_model.members[3]
    assert gru.source == "morph" and gru.views == ()
    assert "배송/NNG" in gru.vocab and gru.emb.shape == (len(gru.vocab) + 2, 128)
    assert full_model.stacker.coef.shape == (4,)
    assert full_model.info["train_rows"] == {"nsmc": 333, "sentineg": 111, "held_out": 44}
    p = full_model.positive_probability(TEXTS, _morphs(TEXTS))
    assert p[0] > 0.5 > p[1]


def test_network_weights_are_stored_as_float16_and_served_as_float32(full_model):
    blob = pickle.dumps(full_model)
    char_mlp = full_model.members[1]
    assert len(pickle.dumps(char_mlp)) < 0.6 * char_mlp.w1.nbytes  # stored: float16, half the float32
    loaded = pickle.loads(blob)  # noqa: S301 - our own bytes
    assert loaded.members[1].w1.dtype == np.float32
    morphs = _morphs(TEXTS)
    # the weights were rounded to float16 before the stacker saw them: identical probabilities
    assert np.array_equal(loaded.positive_probability(TEXTS, morphs), full_model.positive_probability(TEXTS, morphs))


def test_mlp_decision_is_the_numpy_forward_pass():
    member = MLPMember(
        "m",
        ("char",),
        w1=np.array([[1.0, -1.0], [2.0, 0.5]], dtype=np.float32),
        b1=np.zeros(2),
        w2=np.array([1.0, 2.0]),
        b2=0.5,
    )
    x = sp.csr_matrix(np.array([[1.0, 1.0], [0.0, -1.0]], dtype=np.float32))
    # row 1: relu([3, -0.5]) = [3, 0] → 3 + 0.5; row 2: relu([-2, -0.5]) = 0 → 0.5
    assert member.decision(x).tolist() == [3.5, 0.5]


def test_holdout_is_the_last_nsmc_rows_and_a_seeded_share_of_sentineg():
    mask = holdout_mask(100, 20, 0.1, seed=0)
    assert mask[:100].tolist() == [False] * 90 + [True] * 10
    assert mask[100:].sum() == 2
    assert np.array_equal(mask, holdout_mask(100, 20, 0.1, seed=0))


def test_first_version_artifacts_still_load():
    texts = ["맛있어요 최고", "별로예요 최악", "좋아요", "실망입니다"]
    morphs = _morphs(texts)
    y = np.array([1, 0, 1, 0])
    char = TfidfVectorizer(analyzer="char_wb").fit(texts)
    morph = TfidfVectorizer(tokenizer=split_tokens, token_pattern=None, lowercase=False).fit(morphs)
    x = sp.hstack([char.transform(texts), morph.transform(morphs)]).tocsr()
    clf = LogisticRegression().fit(x, y)
    state = {
        "char_vectorizer": char,
        "morph_vectorizer": morph,
        "members": [Member(classifier=clf)],
        "calibrator": SigmoidCalibrator(a=1.5, b=-0.2),
        "keyword_idf": {"맛": 1.0},
        "keyword_default_idf": 2.0,
        "info": {"v": 1},
    }
    old = SentimentModel.__new__(SentimentModel)
    old.__setstate__(state)
    expected = 1 / (1 + np.exp(-(1.5 * clf.decision_function(x) - 0.2)))
    assert np.allclose(old.positive_probability(texts, morphs), expected)
    assert old.keyword_idf == {"맛": 1.0} and old.info == {"v": 1}
