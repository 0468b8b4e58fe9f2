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


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_code = "INVALID_TOKEN"
    default_detail = "유효하지 않은 토큰입니다"


def decode_internal_token(token: str) -> dict:
    """Verify an internal token: HS256 with INTERNAL_JWT_SECRET, ``exp`` required,
    ``sub`` and a known ``role`` present. Raises ``jwt.InvalidTokenError`` otherwise."""
    claims = jwt.decode(
        token,
        settings.INTERNAL_JWT_SECRET,
        algorithms=[INTERNAL_ALGORITHM],
        options={"require": ["exp", "sub"]},
    )
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
