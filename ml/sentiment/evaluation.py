"""Quality of the sentiment model on held-out corpora: accuracy, macro-F1, calibration error
(ECE), the confusion matrix, and what the neutral band holds."""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .model import label_of, three_way

ECE_BINS = 10


def expected_calibration_error(p_positive: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE of the polarity call: |accuracy − confidence| per confidence bin, weighted by bin size."""
    pred = (p_positive >= 0.5).astype(int)
    conf = np.where(pred == 1, p_positive, 1 - p_positive)
    correct = (pred == y).astype(float)
    edges = np.linspace(0.5, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (conf >= lo) & ((conf < hi) if hi < 1.0 else (conf <= hi))
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def evaluate_probabilities(p_positive: np.ndarray, y: np.ndarray) -> dict:
    """Binary metrics of the polarity call (p ≥ 0.5) and the three-way picture."""
    y = np.asarray(y)
    pred = (p_positive >= 0.5).astype(int)
    labels3 = [label_of(three_way(float(p))) for p in p_positive]
    neutral = np.array([label == "neutral" for label in labels3])
    confusion = {
        gold: {
            pl: int(sum(1 for g, lab in zip(y, labels3, strict=True) if g == gi and lab == pl))
            for pl in ("positive", "neutral", "negative")
        }
        for gold, gi in (("positive", 1), ("negative", 0))
    }
    decided = ~neutral
    return {
        "n": len(y),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "ece": round(expected_calibration_error(p_positive, y), 4),
        "confusion_binary": {
            "positive": {
                "positive": int(((y == 1) & (pred == 1)).sum()),
                "negative": int(((y == 1) & (pred == 0)).sum()),
            },
            "negative": {
                "positive": int(((y == 0) & (pred == 1)).sum()),
                "negative": int(((y == 0) & (pred == 0)).sum()),
            },
        },
        "confusion_three_way": confusion,
        "neutral_share": round(float(neutral.mean()), 4),
        "accuracy_in_neutral_band": round(float((pred[neutral] == y[neutral]).mean()), 4) if neutral.any() else None,
        "accuracy_outside_neutral_band": round(float((pred[decided] == y[decided]).mean()), 4)
        if decided.any()
        else None,
    }


# Aspect clauses as split_clauses cuts them out of mixed reviews, with the polarity of the aspect
# they speak of. Hand-written for docs/sentiment.md ("Aspects"): a sanity check of how the served
# model reads a clause alone and completed as a sentence — 30 clauses, not an evaluation set.
CLAUSE_CHECKS: tuple[tuple[str, int], ...] = (
    *(
        (text, 1)
        for text in (
            "배송은 빨랐지만",
            "맛은 있는데",
            "맛있는데",
            "신선하고 맛있는데",
            "포장은 꼼꼼했지만",
            "가격은 저렴한데",
            "사장님은 친절하신데",
            "품질은 좋은데",
            "배송도 빠르고",
            "양도 많고",
            "맛은 좋았지만",
            "향이 좋아서",
            "가성비는 좋은데",
            "포장이 꼼꼼해서",
            "배송은 총알같았는데",
        )
    ),
    *(
        (text, 0)
        for text in (
            "배송은 느렸지만",
            "가격이 좀 비싸지만",
            "양이 적어서",
            "포장이 엉망이라",
            "맛이 없어서",
            "배송이 늦었는데",
            "포장이 찢어져서",
            "너무 짜서",
            "불친절해서",
            "비싸긴 한데",
            "배송이 너무 느려서",
            "맛이 별로라",
            "양이 너무 적은데",
            "품질이 안 좋아서",
            "가격이 비싸서",
        )
    ),
)


def clause_check(positive_probability) -> dict:
    """Polarity accuracy and the share called right outright (not neutral) on ``CLAUSE_CHECKS``,
    each clause read as written and as completed (``analysis.completed_clause_text``);
    ``positive_probability(texts, morphs)`` is the model's."""
    from ml.korean import kiwi

    from .analysis import completed_clause_text
    from .text import morph_string

    def morphs(text: str) -> str:
        return morph_string(kiwi().tokenize(text))

    texts = [text for text, _ in CLAUSE_CHECKS]
    y = np.array([label for _, label in CLAUSE_CHECKS])
    completed = [completed_clause_text(t, kiwi()) or t for t in texts]
    out = {"n": len(texts)}
    for name, batch in (("as_written", texts), ("completed", completed)):
        p = np.asarray(positive_probability(batch, [morphs(t) for t in batch]), dtype=float)
        labels = np.array([label_of(three_way(float(v))) for v in p])
        gold = np.where(y == 1, "positive", "negative")
        out[name] = {
            "accuracy": round(float(((p >= 0.5) == y).mean()), 4),
            "called_right": round(float((labels == gold).mean()), 4),
        }
    return out
