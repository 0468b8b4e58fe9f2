"""One log line per outage of a dependency (Redis, the broker, PostgreSQL), per process.

A dependency that is down fails every request that touches it; logging each failure (with a
traceback) buried the logs in 836 tracebacks within 15 s in the audit. Callers report each
failure and each success here instead: the first failure after a healthy period logs one
ERROR line (the cause, no traceback), the first success after it logs one WARNING line with
the outage's length. State is per process (each gunicorn worker logs its own line).
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("outage")

_down_since: dict[str, float] = {}
_lock = threading.Lock()


def dependency_failed(name: str, exc: BaseException | str) -> bool:
    """Record a failure of ``name``; answers whether this started an outage (and logged)."""
    with _lock:
        if name in _down_since:
            return False
        _down_since[name] = time.monotonic()
    logger.error("%s unavailable: %s", name, exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}")
    return True


def dependency_ok(name: str) -> None:
    """Record a success of ``name`` (logs once when it ends an outage)."""
    if name not in _down_since:  # the common case: no lock, no work
        return
    with _lock:
        since = _down_since.pop(name, None)
    if since is not None:
        logger.warning("%s available again after %.0f s", name, time.monotonic() - since)


def is_down(name: str) -> bool:
    return name in _down_since


def reset() -> None:
    """Forget every outage (tests)."""
    with _lock:
        _down_since.clear()
