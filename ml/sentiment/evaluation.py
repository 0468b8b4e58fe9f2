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
