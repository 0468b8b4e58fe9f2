"""The served sentiment model: features, a linear classifier and its calibration, in one picklable
object that :mod:`ml.registry` stores (artifact ``review_sentiment``).

Features are TF-IDF over character n-grams (1–5, inside word boundaries: robust to spacing and
slang such as "존맛", "총알배송") and over Kiwi morpheme n-grams (1–3, predicates as lemmas:
negation such as "맛있다/VA 지/EC 않다/VX" becomes a feature). The classifier is a logistic
regression on those features scaled by naive-Bayes log-count ratios (NB-LR) when that measured
better; its decision value is mapped to a calibrated probability of "positive".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

LABELS = ("positive", "neutral", "negative")


def three_way(p_positive: float) -> dict[str, float]:
    """Positive/neutral/negative scores (summing to 1) from a calibrated P(positive).

    ``neutral`` is ``2·min(p, 1−p)``: the calibrated chance that the polarity call is wrong,
    doubled, so 1 at a coin toss and 0 when the model is certain. The polarities share the rest
    in proportion to ``p``. Neutral is the largest score exactly when 0.22 < p < 0.78, i.e. when
    the calibrated model expects to be right less than ~78% of the time (docs/sentiment.md
    gives the measured share and accuracy of that band).
    """
    p = float(min(max(p_positive, 0.0), 1.0))
    neutral = 2.0 * min(p, 1.0 - p)
    positive = round(p * (1.0 - neutral), 4)
    neutral = round(neutral, 4)
    negative = round(1.0 - positive - neutral, 4)  # exact sum after rounding
    return {"positive": positive, "neutral": neutral, "negative": max(negative, 0.0)}


def label_of(scores: dict[str, float]) -> str:
    return max(LABELS, key=lambda label: scores[label])


@dataclass
class Member:
    """One linear classifier over the shared features; ``nb_ratio`` scales them first (NB-LR).
    ``scale`` divides its decision value so that members of an ensemble weigh alike."""

    classifier: object
    nb_ratio: np.ndarray | None = None
    scale: float = 1.0

    def fold(self) -> Member:
        """Fold the NB scaling into the coefficients (x·diag(r)·w = x·(r∘w)): the same decision
        values without a million-entry diagonal matrix per call."""
        if self.nb_ratio is not None:
            self.classifier.coef_ = self.classifier.coef_ * self.nb_ratio
            self.nb_ratio = None
        return self

    def decision(self, x: sp.csr_matrix) -> np.ndarray:
        if self.nb_ratio is not None:
            x = x @ sp.diags(self.nb_ratio)
        return self.classifier.decision_function(x) / self.scale


@dataclass
class SentimentModel:
    """Everything needed to score a text, pickled as one artifact."""

    char_vectorizer: object
    morph_vectorizer: object
    members: list[Member]  # decision = mean of the members' decisions
    calibrator: object  # maps the decision value to P(positive); has .predict
    keyword_idf: dict[str, float] = field(default_factory=dict)
    keyword_default_idf: float = 1.0
    info: dict = field(default_factory=dict)

    def features(self, texts: list[str], morphs: list[str]) -> sp.csr_matrix:
        from ml.sentiment.text import normalize

        return sp.hstack(
            [self.char_vectorizer.transform([normalize(t) for t in texts]), self.morph_vectorizer.transform(morphs)]
        ).tocsr()

    def decision(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        x = self.features(texts, morphs)
        return np.mean([m.decision(x) for m in self.members], axis=0)

    def positive_probability(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        """Calibrated P(positive) for each text (``morphs``: :func:`ml.sentiment.text.morph_string`)."""
        if not texts:
            return np.zeros(0)
        return np.clip(self.calibrator.predict(self.decision(texts, morphs)), 0.0, 1.0)


@dataclass
class SigmoidCalibrator:
    """Platt scaling: P(positive) = 1 / (1 + exp(−(a·d + b))) for a decision value d."""

    a: float
    b: float

    def predict(self, decision: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * np.asarray(decision, dtype=float) + self.b)))
