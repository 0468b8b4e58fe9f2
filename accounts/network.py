"""The caller's IP address, one rule for audit rows and login limits.

The peer address (``REMOTE_ADDR``) unless ``NUM_TRUSTED_PROXIES`` says how many reverse proxies
of ours stand in front of the app: then the address that the outermost of them saw, taken from
the right end of ``X-Forwarded-For`` (entries further left are whatever the client wrote).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request: object | None) -> str | None:
    if request is None:
        return None
    meta = getattr(request, "META", {}) or {}
    peer = meta.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "NUM_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return peer
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
