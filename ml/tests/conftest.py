"""A sentiment model trained for real (Kiwi, TF-IDF views, NB-LR and network members, stacking)
on the small corpus of ``sentiment_corpus.py``: fitted once per test process, saved to the
registry per test. The members are those of ``train_sentiment --fast`` (make demo); the full
set, with the character network, is trained in test_sentiment_model.py (on a corpus this
small the character network learns whole sentences by heart, which the fixed-sentence tests
are not about)."""

from __future__ import annotations

import pytest

from ml.sentiment.training import FAST_MEMBERS, TrainConfig, train
from ml.tests.sentiment_corpus import write_corpus


@pytest.fixture(scope="session")
def sentiment_corpus_dir(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("sentiment-corpus"))


@pytest.fixture(scope="session")
def fitted_sentiment_model(sentiment_corpus_dir):
    return train(TrainConfig(data_dir=sentiment_corpus_dir, cache_dir=sentiment_corpus_dir, members=FAST_MEMBERS))


@pytest.fixture
def sentiment_model(db, fitted_sentiment_model):
    """The fitted model saved as the served ``review_sentiment`` artifact."""
    from ml.registry import artifact_save

    return artifact_save(
        name="review_sentiment", model=fitted_sentiment_model, trained_as_of=None, metrics={}, params={}
    )
