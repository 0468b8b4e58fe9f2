"""Score review texts: sentiment, confidence, three scores, keywords and aspects (seed 000 §4.2).

The default backend is the model the project trains (``train_sentiment``), loaded from the
registry once per process. With ``SENTIMENT_MODEL_PATH`` set, a fine-tuned transformers
sequence-classification model is loaded from that local directory instead (never downloaded);
keywords and aspects then still use Kiwi, and keyword weights the trained model's IDF if any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from django.conf import settings

from ml.registry import artifact_load_latest

from .analysis import Clause, clause_aspects, completed_clause_text, items_of, keywords, split_clauses
from .model import label_of, three_way
from .text import morph_string, normalize

ARTIFACT_NAME = "review_sentiment"


class Backend(Protocol):
    version: str
    keyword_idf: dict[str, float]
    keyword_default_idf: float

    def positive_probability(self, texts: list[str], morphs: list[str]) -> np.ndarray: ...


@dataclass
class RegistryBackend:
    version: str
    model: object

    @property
    def keyword_idf(self) -> dict[str, float]:
        return self.model.keyword_idf

    @property
    def keyword_default_idf(self) -> float:
        return self.model.keyword_default_idf

    def positive_probability(self, texts: list[str], morphs: list[str]) -> np.ndarray:
        return self.model.positive_probability(texts, morphs)


def sentiment_backend() -> Backend | None:
    """The configured backend, or ``None`` when no model is trained (callers answer 503)."""
    path = getattr(settings, "SENTIMENT_MODEL_PATH", "")
    if path:
        from .transformers_backend import transformers_backend

        return transformers_backend(path)
    loaded = artifact_load_latest(ARTIFACT_NAME)
    if loaded is None:
        return None
    return RegistryBackend(version=f"{ARTIFACT_NAME}@{loaded.version}", model=loaded.model)


# The revision of the rules around the model (clauses, aspect terms, keywords). Stored results
# record ``scored_version``: a new model or a new revision rescores every review on the next
# ``score_reviews``. Bump it when a change alters what analyze_texts returns for the same model.
# 2: aspect clauses completed as sentences, -ㄴ데 clause boundaries, one-syllable food keywords.
ANALYSIS_REVISION = 2


def scored_version(backend: Backend) -> str:
    """What a stored review records as its ``sentiment_model_version``: model and rule revision."""
    return f"{backend.version}/a{ANALYSIS_REVISION}"


@dataclass(frozen=True)
class _Parsed:
    text: str
    morphs: str
    items: list
    clauses: list[Clause]


def _parse(text: str) -> _Parsed:
    from ml.korean import kiwi

    norm = normalize(text)
    items = items_of(kiwi().tokenize(norm))
    return _Parsed(
        text=norm,
        morphs=" ".join(f"{i.form}/{i.tag}" for i in items),
        items=items,
        clauses=split_clauses(norm, items),
    )


def _finished(clause: Clause, done: dict[Clause, tuple[str, str]]) -> tuple[str, str]:
    """The clause's text and morphs as the classifier reads them for an aspect: completed as a
    sentence when it ends in a connective (``analysis.completed_clause_text``)."""
    if clause not in done:
        from ml.korean import kiwi

        text = completed_clause_text(clause.text, kiwi())
        if text is None:
            done[clause] = (clause.text, clause.morphs)
        else:
            done[clause] = (text, morph_string(kiwi().tokenize(text)))
    return done[clause]


def analyze_texts(texts: Sequence[str], *, backend: Backend) -> list[dict]:
    """One result per text: ``sentiment``, ``confidence``, ``scores``, ``keywords``, ``aspects``.

    All texts and all aspect clauses go through the classifier in one batch.
    """
    parsed = [_parse(t) for t in texts]
    batch_texts = [p.text for p in parsed]
    batch_morphs = [p.morphs for p in parsed]
    # aspect → the clauses that mention it, per review; scored on those clauses joined
    aspect_slots: list[tuple[int, str, int]] = []  # (review index, aspect, batch row)
    for idx, p in enumerate(parsed):
        by_aspect: dict[str, list[Clause]] = {}
        for clause in p.clauses:
            for aspect in clause_aspects(clause):
                by_aspect.setdefault(aspect, []).append(clause)
        finished: dict[Clause, tuple[str, str]] = {}  # clause → (text, morphs) as a sentence
        for aspect in sorted(by_aspect):
            inputs = [_finished(clause, finished) for clause in by_aspect[aspect]]
            aspect_slots.append((idx, aspect, len(batch_texts)))
            batch_texts.append(" ".join(text for text, _ in inputs))
            batch_morphs.append(" ".join(morphs for _, morphs in inputs))
    probs = backend.positive_probability(batch_texts, batch_morphs)

    results = []
    for idx, p in enumerate(parsed):
        scores = three_way(float(probs[idx]))
        label = label_of(scores)
        results.append(
            {
                "sentiment": label,
                "confidence": scores[label],
                "scores": scores,
                "keywords": keywords(p.items, idf=backend.keyword_idf, default_idf=backend.keyword_default_idf),
                "aspects": {},
            }
        )
    for idx, aspect, row in aspect_slots:
        scores = three_way(float(probs[row]))
        label = label_of(scores)
        results[idx]["aspects"][aspect] = {"sentiment": label, "score": scores[label]}
    return results
