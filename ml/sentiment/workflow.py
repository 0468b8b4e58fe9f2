"""Evaluation of a fitted model on the held-out corpora (used by training and ``evaluate_sentiment``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import Corpus, load_corpus
from .evaluation import evaluate_probabilities
from .model import SentimentModel
from .text import normalize
from .training import Progress, TrainConfig, corpus_morphs

EVAL_SPLITS = ("nsmc_test", "sentineg_dev")


def evaluate_model(
    model: SentimentModel, *, data_dir: Path, progress: Progress | None = None, limit: int | None = None
) -> dict:
    """Metrics per held-out split (NSMC test, SentiNeg dev), see ``evaluation.evaluate_probabilities``.
    ``limit``: only the first N texts of each split (make demo)."""
    out = {}
    config = TrainConfig(data_dir=data_dir)
    for name in EVAL_SPLITS:
        corpus = load_corpus(data_dir, name)
        if limit is not None and limit < len(corpus.texts):
            corpus = Corpus(name=f"{name}-first{limit}", texts=corpus.texts[:limit], labels=corpus.labels[:limit])
        morphs = corpus_morphs(config, corpus, progress)
        p = model.positive_probability([normalize(t) for t in corpus.texts], morphs)
        out[name] = evaluate_probabilities(p, np.asarray(corpus.labels))
    return out
