"""OpenAPI descriptions of the two authentication schemes (loaded in AccountsConfig.ready)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerJWTScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerJWTAuthentication"
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "직원 로그인 토큰: POST /api/v1/auth/token 의 access 값 (유효 시간이 짧습니다; "
            "/api/v1/auth/token/refresh 로 갱신).",
        }


class InternalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.InternalTokenAuthentication"
    name = "internalToken"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Internal-Token",
            "description": "내부 서비스 토큰 (HS256 JWT, INTERNAL_JWT_SECRET 서명, sub/role/exp 필수). "
            "`manage.py issue_internal_token --service NAME --role ROLE --days N` 으로 발급.",
        }
