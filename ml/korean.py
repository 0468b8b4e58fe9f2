"""One Korean morphological analyser (kiwipiepy) per process, loaded lazily.

Kiwi takes about a second and ~0.5 GB to load, so every feature that needs Korean morphemes
(sentiment keywords, product-recommendation content features, the search index) shares this
instance instead of building its own. Kiwi's ``tokenize`` is safe to call from several threads.
"""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

_lock = threading.Lock()
_kiwi: Kiwi | None = None


def kiwi() -> Kiwi:
    """The process-wide Kiwi instance, created on first use."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                # 0 = no thread pool: tokenize runs in the caller's thread (what a web worker
                # wants). kiwipiepy ≥ 0.21 warns that 0 once meant "all cores"; it no longer does.
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message=".*num_workers=0.*", category=DeprecationWarning)
                    _kiwi = Kiwi(num_workers=0)
    return _kiwi
