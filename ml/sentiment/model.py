"""The served sentiment model: feature views, several classifiers (members) and a stacker that
turns their decision values into one calibrated probability, in one picklable object that
:mod:`ml.registry` stores (artifact ``review_sentiment``).

Views (TF-IDF, sublinear tf): character n-grams 1–5 inside word boundaries (robust to spacing
and slang such as "존맛", "총알배송"); Kiwi morpheme n-grams 1–3 with predicates as lemmas
(negation such as "맛있다/VA 지/EC 않다/VX" is a feature); polarity-lexicon tokens
(:func:`ml.sentiment.text.lexicon_string`: lexicon words, negated ones, slang). Members: a
logistic regression on NB-scaled features (NB-LR) or a one-hidden-layer network (trained with
torch, served with numpy) over one or more views. The stacker is a logistic regression on the
members' decision values fitted on held-out data, so its output is the calibrated P(positive).
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
class View:
    """One feature view: a fitted vectorizer over the normalised text (``text``), the Kiwi morph
    string (``morph``) or the polarity-lexicon tokens (``lexicon``)."""

    name: str
    source: str
    vectorizer: object


@dataclass
class LinearMember:
    """A linear classifier over some views (NB scaling folded into ``coef``)."""

    name: str
    views: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def decision(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef).ravel() + self.intercept


@dataclass
class MLPMember:
    """relu(x·W1 + b1)·w2 + b2 over some views: a network with one hidden layer, trained by
    ``training.fit_mlp`` (torch) and evaluated here with numpy (no torch needed to serve)."""

    name: str
    views: tuple[str, ...]
    w1: np.ndarray  # (features, hidden) float32, values representable in float16
    b1: np.ndarray
    w2: np.ndarray
    b2: float

    def __getstate__(self) -> dict:
        # stored as float16 (half the artifact), served as float32 (scipy multiplies float16 ~70× slower)
        return {**self.__dict__, "w1": self.w1.astype(np.float16)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({**state, "w1": np.asarray(state["w1"], dtype=np.float32)})

    def decision(self, x: sp.csr_matrix) -> np.ndarray:
        hidden = np.maximum(np.asarray(x @ self.w1) + self.b1, 0.0)
        return hidden @ self.w2 + self.b2


@dataclass
class Stacker:
    """P(positive) = 1 / (1 + exp(−(coef·d + intercept))) for the members' decision values d:
    a logistic regression fitted on held-out decisions, i.e. both the ensemble and its
    calibration (with one member it is Platt scaling)."""

    coef: np.ndarray
    intercept: float

    def predict(self, decisions: np.ndarray) -> np.ndarray:
        z = np.asarray(decisions, dtype=float) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class SentimentModel:
    """Everything needed to score a text, pickled as one artifact."""

    views: list[View]
    members: list[LinearMember | MLPMember]
    stacker: Stacker
    keyword_idf: dict[str, float] = field(default_factory=dict)
    keyword_default_idf: float = 1.0
    info: dict = field(default_factory=dict)

    def __setstate__(self, state: dict) -> None:
        if "char_vectorizer" in state:  # an artifact of the first version (one NB-LR + Platt)
            state = _upgrade_v1(state)
        self.__dict__.update(state)

    def view_matrices(self, texts: list[str], morphs: list[str]) -> dict[str, sp.csr_matrix]:
        from ml.sentiment.text import lexicon_string, normalize

        norm = [normalize(t) for t in texts]
        inputs = {"text": norm, "morph": morphs}
        if any(v.source == "lexicon" for v in self.views):
            inputs["lexicon"] = [lexicon_string(t, m) for t, m in zip(norm, morphs, strict=True)]
        return {v.name: v.vectorizer.transform(inputs[v.source]).tocsr() for v in self.views}

    def decisions(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        """(texts, members) decision values."""
        mats = self.view_matrices(texts, morphs)
        cols = []
        for member in self.members:
            parts = [mats[name] for name in member.views]
            x = parts[0] if len(parts) == 1 else sp.hstack(parts, format="csr")
            cols.append(member.decision(x))
        return np.column_stack(cols)

    def positive_probability(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        """Calibrated P(positive) for each text (``morphs``: :func:`ml.sentiment.text.morph_string`)."""
        if not texts:
            return np.zeros(0)
        return np.clip(self.stacker.predict(self.decisions(texts, morphs)), 0.0, 1.0)


@dataclass
class Member:
    """First-version member (a fitted scikit-learn classifier); kept so old artifacts unpickle."""

    classifier: object
    nb_ratio: np.ndarray | None = None
    scale: float = 1.0


@dataclass
class SigmoidCalibrator:
    """First-version Platt calibrator; kept so old artifacts unpickle."""

    a: float
    b: float


def _upgrade_v1(state: dict) -> dict:
    """A first-version artifact (char + morph TF-IDF, mean of members, Platt) as views, linear
    members and a stacker giving the same probabilities."""
    views = [View("char", "text", state["char_vectorizer"]), View("morph", "morph", state["morph_vectorizer"])]
    old = state["members"]
    members = []
    for idx, m in enumerate(old):
        coef = m.classifier.coef_.ravel() * (m.nb_ratio if m.nb_ratio is not None else 1.0)
        members.append(
            LinearMember(f"v1-{idx}", ("char", "morph"), coef / m.scale, float(m.classifier.intercept_[0]) / m.scale)
        )
    cal = state["calibrator"]
    if not isinstance(cal, SigmoidCalibrator):
        raise ValueError("이 감정 분석 모델은 이전 형식입니다: train_sentiment 로 다시 학습하세요")
    stacker = Stacker(coef=np.full(len(members), cal.a / len(members)), intercept=cal.b)
    rest = {k: v for k, v in state.items() if k not in ("char_vectorizer", "morph_vectorizer", "members", "calibrator")}
    return {"views": views, "members": members, "stacker": stacker, **rest}
