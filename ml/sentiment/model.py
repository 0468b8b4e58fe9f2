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
class LexiconLayer:
    """The lexicon's reading, applied after the stacker where the lexicon is confident and the
    corpora cannot teach the model (docs/sentiment.md, "Lexicon layer").

    It fires on a short text (at most ``max_morphemes`` Kiwi morphemes: a shopping review of a
    clause or two, or an aspect clause) whose lexicon signals
    (:func:`ml.sentiment.text.lexicon_signals`) all point the same way and include at least one of

    - a negated negative word ("맛없지 않아요", "안 나빠요"): P(positive) is raised to at least
      ``negation_floor``;
    - a slang phrase the training corpora (almost) never contain (``phrases``: 거북이배송,
      노맛 …): P(positive) is moved to at least ``phrase_floor`` (positive slang) or at most
      ``1 − phrase_floor`` (negative slang).

    The floors are not tuned: each is the lexicon's own precision measured on the training
    corpora (Laplace-smoothed) — the positive share of the reviews where a negated negative is
    the confident reading, and how often a slang phrase frequent in the corpora (노잼, 강추 …)
    has the review's polarity. A text with mixed signals ("나쁘지 않은데 비싸요") is left to
    the model.
    """

    negation_floor: float
    phrase_floor: float
    phrases: frozenset[str]
    max_morphemes: int = 15

    def bounds(self, text: str, morphs: str) -> tuple[float, float]:
        """(lower, upper) bounds the layer puts on P(positive) for one text; (0, 1) where it does
        not fire."""
        from ml.sentiment.text import lexicon_signals

        if len(morphs.split()) > self.max_morphemes:  # a long review: the model reads its context
            return 0.0, 1.0
        signals = lexicon_signals(text, morphs)
        signs = {polarity for _, polarity in signals}
        if len(signs) != 1:  # no lexicon word, or mixed signals: the model decides
            return 0.0, 1.0
        kinds = {kind for kind, _ in signals}
        if "negated-negative" in kinds:
            return self.negation_floor, 1.0
        if any(kind.startswith("phrase:") and kind.removeprefix("phrase:") in self.phrases for kind in kinds):
            return (self.phrase_floor, 1.0) if signs == {1} else (0.0, 1.0 - self.phrase_floor)
        return 0.0, 1.0

    def apply(self, probs: np.ndarray, texts: list[str], morphs: list[str]) -> np.ndarray:
        bounds = np.array([self.bounds(t, m) for t, m in zip(texts, morphs, strict=True)]).reshape(-1, 2)
        return np.clip(np.asarray(probs, dtype=float), bounds[:, 0], bounds[:, 1])


@dataclass
class SentimentModel:
    """Everything needed to score a text, pickled as one artifact."""

    views: list[View]
    members: list  # LinearMember, MLPMember, sequence.CNNMember, sequence.GRUMember
    stacker: Stacker
    keyword_idf: dict[str, float] = field(default_factory=dict)
    keyword_default_idf: float = 1.0
    info: dict = field(default_factory=dict)
    lexicon_layer: LexiconLayer | None = None

    def __setstate__(self, state: dict) -> None:
        if "char_vectorizer" in state:  # an artifact of the first version (one NB-LR + Platt)
            state = _upgrade_v1(state)
        state.setdefault("lexicon_layer", None)  # artifacts before the lexicon layer score as before
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
        from ml.sentiment.sequence import sequences
        from ml.sentiment.text import normalize

        mats = self.view_matrices(texts, morphs)
        seqs: dict[str, list[list[str]]] = {}
        cols = []
        for member in self.members:
            source = getattr(member, "source", None)
            if source is not None:  # a sequence member reads the tokens, not a TF-IDF view
                if source not in seqs:
                    seqs[source] = sequences(source, [normalize(t) for t in texts], morphs)
                cols.append(member.decision_seqs(seqs[source]))
                continue
            parts = [mats[name] for name in member.views]
            x = parts[0] if len(parts) == 1 else sp.hstack(parts, format="csr")
            cols.append(member.decision(x))
        return np.column_stack(cols)

    def positive_probability(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        """Calibrated P(positive) for each text (``morphs``: :func:`ml.sentiment.text.morph_string`)."""
        if not texts:
            return np.zeros(0)
        probs = np.clip(self.stacker.predict(self.decisions(texts, morphs)), 0.0, 1.0)
        if self.lexicon_layer is not None:
            from ml.sentiment.text import normalize

            probs = self.lexicon_layer.apply(probs, [normalize(t) for t in texts], morphs)
        return probs


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
