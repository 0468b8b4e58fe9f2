"""Authentication schemes: staff JWT (simplejwt) and internal service tokens (seed 000)."""

from __future__ import annotations

import time

import jwt
from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthFailed
from rest_framework_simplejwt.exceptions import InvalidToken

from .principal import ServiceIdentity
from .roles import Role

INTERNAL_HEADER = "HTTP_X_INTERNAL_TOKEN"
INTERNAL_ALGORITHM = "HS256"


# The longest lifetime of an internal token (issue_internal_token refuses more, and so does
# the verification below, for tokens made elsewhere with the same key).
MAX_INTERNAL_TOKEN_DAYS = 366
LEEWAY_SECONDS = 60

# Verified tokens, per process: a service sends the same token on every call, and verifying it
# (HMAC, base64, JSON, claim checks) was a tenth of a cached detail request's CPU
# (docs/benchmarks.md). Keyed by the exact token text and the secret, so a changed signature,
# claim or key is a miss and is verified in full. Only the clock-dependent check can change
# for a verified token: ``exp`` is checked again on every use. ``iat``/``nbf`` in the future
# are refused at verification and never cached. Bounded: cleared when full.
_VERIFIED_MAX = 1024
_verified: dict[tuple[str, str], dict] = {}


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_code = "INVALID_TOKEN"
    default_detail = "유효하지 않은 토큰입니다"


def decode_internal_token(token: str) -> dict:
    """Verify an internal token (a copy of its claims; see :func:`_verify_internal_token`),
    from the per-process cache of verified tokens when it is there and not expired."""
    key = (token, settings.INTERNAL_JWT_SECRET)
    claims = _verified.get(key)
    if claims is not None:
        # the test PyJWT applies: expired when exp <= now - leeway
        if claims["exp"] <= time.time() - LEEWAY_SECONDS:
            _verified.pop(key, None)
            raise jwt.ExpiredSignatureError("Signature has expired")
        return dict(claims)
    claims = _verify_internal_token(token)
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[key] = claims
    return dict(claims)


def _verify_internal_token(token: str) -> dict:
    """Verify an internal token: HS256 with INTERNAL_JWT_SECRET, ``exp`` and ``iat`` required,
    a lifetime (``exp - iat``) of at most ``MAX_DAYS`` (366) days, ``iat`` not in the future
    (60 s leeway), ``sub`` and a known ``role`` present. Raises ``jwt.InvalidTokenError``
    otherwise — the maximum is enforced here, not only by the issuing command."""
    claims = jwt.decode(
        token,
        settings.INTERNAL_JWT_SECRET,
        algorithms=[INTERNAL_ALGORITHM],
        options={"require": ["exp", "iat", "sub"]},
        leeway=LEEWAY_SECONDS,
    )
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
        raise jwt.InvalidTokenError("iat/exp must be numbers")
    if exp - iat > MAX_INTERNAL_TOKEN_DAYS * 86400:
        raise jwt.InvalidTokenError("lifetime longer than the maximum")
    if claims.get("role") not in Role.values:
        raise jwt.InvalidTokenError("unknown role")
    if not isinstance(claims.get("sub"), str) or not claims["sub"].strip():
        raise jwt.InvalidTokenError("sub missing")
    return claims


class InternalTokenAuthentication(BaseAuthentication):
    """``X-Internal-Token: <HS256 JWT>``; the principal is the service named by ``sub``."""

    def authenticate(self, request):
        token = request.META.get(INTERNAL_HEADER)
        if token is None:
            return None
        try:
            claims = decode_internal_token(token.strip())
        except jwt.InvalidTokenError as exc:
            raise InvalidCredentials() from exc
        return ServiceIdentity(name=claims["sub"][:100], role=claims["role"]), claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerJWTAuthentication(JWTAuthentication):
    """simplejwt's access-token check with our error code: any bad token is INVALID_TOKEN."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except (InvalidToken, JWTAuthFailed) as exc:
            raise InvalidCredentials() from exc
