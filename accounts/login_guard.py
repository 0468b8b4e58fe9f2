"""Failed logins beyond django-axes' lock-out (issue 10 item 4).

- The **lock-out** (django-axes, ``AXES_LOCKOUT_PARAMETERS``) is per *username and address
  together*: five wrong passwords for ``admin`` from one address lock that address out of
  ``admin``; the real ``admin`` at the office still logs in.
- The **slow-down** is per username across all addresses: once a username has
  ``LOGIN_FAILURE_LIMIT`` failures within the cool-off window (from anywhere), each further
  attempt for it must wait ``LOGIN_SLOWDOWN_SECONDS`` (default 10) after the previous one,
  else ``429 RATE_LIMIT_EXCEEDED`` with ``Retry-After`` — before the password is checked. A
  distributed guesser gets one guess per 10 s per account instead of 10 per minute per
  address; the owner waits at most a few seconds.
- The **alert**: when a username reaches the limit, one ``alert`` audit row
  (``login_failures``) and one log warning, once per window.

Counters live in the shared cache (Redis), keyed by a keyed hash of the username. With the
cache down the slow-down is skipped (the per-process login rate limit still applies).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from core.cache import cache_call

from .sealing import keyed_hash


def _window() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def _key(username: str) -> str:
    return f"loginfail:{keyed_hash(username.strip().lower())}"


def username_failures(username: str) -> int:
    return int(cache_call(lambda: cache.get(_key(username)), 0) or 0)


def slowdown_wait(username: str) -> int:
    """0 when this attempt may go ahead (and starts the next interval); otherwise the seconds
    to wait. Only active once the username reached the failure limit."""
    if not username or username_failures(username) < _limit():
        return 0
    seconds = int(getattr(settings, "LOGIN_SLOWDOWN_SECONDS", 10))
    gate = f"{_key(username)}:gate"
    now = time.time()
    if cache_call(lambda: cache.add(gate, now, seconds), True):
        return 0
    started = cache_call(lambda: cache.get(gate), None)
    return max(int(seconds - (now - float(started))), 1) if started is not None else 1


def record_failure(*, username: str, request: object) -> int:
    """Count one failed login for ``username``; raise the alert when it reaches the limit."""
    if not username:
        return 0
    key = _key(username)

    def bump() -> int:
        cache.add(key, 0, _window())
        return cache.incr(key)

    count = cache_call(bump, 0) or 0
    if count == _limit():
        from .alerts import security_alert

        security_alert(
            kind="login_failures",
            details={
                "username_hash": keyed_hash(username.strip().lower()),
                "failures": count,
                "window_seconds": _window(),
            },
            request=request,
            actor_name="anonymous",
        )
    return count


def record_success(username: str) -> None:
    cache_call(lambda: cache.delete_many([_key(username), f"{_key(username)}:gate"]))
