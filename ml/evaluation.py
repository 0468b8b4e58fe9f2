"""Evaluation shared by the churn models: the model against a recency-only baseline on a
later time window."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score


def binary_report(y_true: np.ndarray, proba: np.ndarray, *, threshold: float = 0.5) -> dict:
    """AUC, average precision, precision and recall at ``threshold``, and the base rate."""
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=float)
    pred = (proba >= threshold).astype(int)
    both_classes = len(np.unique(y_true)) == 2
    return {
        "n": len(y_true),
        "positive_rate": round(float(y_true.mean()), 4) if len(y_true) else None,
        "auc": round(float(roc_auc_score(y_true, proba)), 4) if both_classes else None,
        "average_precision": round(float(average_precision_score(y_true, proba)), 4) if both_classes else None,
        "precision": round(float(precision_score(y_true, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y_true, pred, zero_division=0)), 4),
        "threshold": threshold,
    }


def recency_baseline_scores(days_since_last: np.ndarray) -> np.ndarray:
    """The baseline: rank by days since the last activity (longer = more likely to churn),
    scaled to [0, 1] so the same threshold report applies."""
    days = np.asarray(days_since_last, dtype=float)
    if days.size == 0:
        return days
    span = days.max() - days.min()
    return (days - days.min()) / span if span > 0 else np.full_like(days, 0.5)


def compare_with_baseline(
    y_true: np.ndarray, proba: np.ndarray, days_since_last: np.ndarray, *, threshold: float = 0.5
) -> dict:
    """``{"model": report, "baseline_recency": report}``. The baseline's threshold is chosen
    to flag the same number of customers as the model, so precision/recall compare fairly."""
    model = binary_report(y_true, proba, threshold=threshold)
    base_scores = recency_baseline_scores(days_since_last)
    flagged = int((np.asarray(proba) >= threshold).sum())
    if flagged > 0 and base_scores.size:
        base_threshold = float(np.sort(base_scores)[::-1][min(flagged, base_scores.size) - 1])
    else:
        base_threshold = 1.01
    baseline = binary_report(y_true, base_scores, threshold=base_threshold)
    return {"model": model, "baseline_recency": baseline}
