"""Keeping a secret value in an audit row without keeping it readable there.

- :func:`seal` / :func:`unseal`: authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256)
  for values an investigator must be able to read back (the raw search term). Only code that
  serves ADMIN calls :func:`unseal` (the audit log API and admin page).
- :func:`keyed_hash`: HMAC-SHA256, for values that must be comparable but never readable
  (a typed login name, the "same search again" test of the enumeration detector).

The keys come from ``AUDIT_SEAL_KEY`` (any long random string; docs/configuration.md), or,
when it is unset, are derived from ``SECRET_KEY`` with a label, so the embedded default works
without configuration. Rotating the key makes older sealed values unreadable (``unseal``
answers ``None``) and older hashes incomparable; nothing else breaks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _material(label: str) -> bytes:
    secret = getattr(settings, "AUDIT_SEAL_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(f"wellness:{label}:".encode() + secret.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(secret_id: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_material("seal")))


def _key_id() -> str:
    return hashlib.sha256(_material("id")).hexdigest()[:8]


def seal(value: str) -> str:
    """The value encrypted (a URL-safe text token); readable with :func:`unseal`."""
    return _fernet(_key_id()).encrypt(value.encode()).decode()


def unseal(token: str | None) -> str | None:
    """The value :func:`seal` sealed, or ``None`` (missing, tampered with, or another key)."""
    if not token:
        return None
    try:
        return _fernet(_key_id()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of ``value`` (hex, 32 characters): equal values give equal hashes, and
    without the key nobody can test a guess against it."""
    return hmac.new(_material("hash"), value.encode(), hashlib.sha256).hexdigest()[:32]
