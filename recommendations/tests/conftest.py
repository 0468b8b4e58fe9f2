from __future__ import annotations

import pytest

from recommendations.center.similarity import reset_similarity_memo


@pytest.fixture(autouse=True)
def _fresh_item_model():
    reset_similarity_memo()
    yield
    reset_similarity_memo()
