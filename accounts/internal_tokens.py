"""Issuing internal service tokens (seed 000 ``X-Internal-Token``); decoding lives in
accounts/authentication.py."""

from __future__ import annotations

from datetime import timedelta

import jwt
from django.conf import settings
from django.utils import timezone

from .authentication import INTERNAL_ALGORITHM, MAX_INTERNAL_TOKEN_DAYS
from .roles import Role

MAX_DAYS = MAX_INTERNAL_TOKEN_DAYS


def internal_token_issue(*, service: str, role: str, days: float, **extra_claims: object) -> str:
    """A signed HS256 token for ``service`` with ``role``, valid for ``days`` days.

    ``sub`` is the service name (shown in the audit log); ``exp`` is always set because the
    decoder requires it.
    """
    service = service.strip()
    if not service:
        raise ValueError("서비스 이름이 필요합니다")
    if role not in Role.values:
        raise ValueError(f"알 수 없는 역할입니다: {role}")
    if not 0 < days <= MAX_DAYS:
        raise ValueError(f"유효 기간은 0일 초과 {MAX_DAYS}일 이하여야 합니다")
    now = timezone.now()
    claims = {
        "sub": service,
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=days)).timestamp()),
        **extra_claims,
    }
    return jwt.encode(claims, settings.INTERNAL_JWT_SECRET, algorithm=INTERNAL_ALGORITHM)
