"""Authentication schemes: staff JWT (simplejwt) and internal service tokens (seed 000)."""

from __future__ import annotations

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


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_code = "INVALID_TOKEN"
    default_detail = "유효하지 않은 토큰입니다"


def decode_internal_token(token: str) -> dict:
    """Verify an internal token: HS256 with INTERNAL_JWT_SECRET, ``exp`` and ``iat`` required,
    a lifetime (``exp - iat``) of at most ``MAX_DAYS`` (366) days, ``iat`` not in the future
    (60 s leeway), ``sub`` and a known ``role`` present. Raises ``jwt.InvalidTokenError``
    otherwise — the maximum is enforced here, not only by the issuing command."""
    claims = jwt.decode(
        token,
        settings.INTERNAL_JWT_SECRET,
        algorithms=[INTERNAL_ALGORITHM],
        options={"require": ["exp", "iat", "sub"]},
        leeway=60,
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
