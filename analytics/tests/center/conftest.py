from __future__ import annotations

import pytest

from analytics.center.peers import reset_peer_memo


@pytest.fixture(autouse=True)
def _fresh_peers():
    reset_peer_memo()
    yield
    reset_peer_memo()
