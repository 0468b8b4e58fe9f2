"""Auth endpoints (simplejwt tokens, lock-out, audit) and the audit log for ADMIN. Thin: the
work is in accounts/services.py and accounts/selectors.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services

from .read import PagedReadView, Read
from .serializers import (
    AuditLogOutput,
    AuditLogPage,
    AuditLogQuery,
    LogoutOutput,
    RefreshInput,
    TokenObtainInput,
    TokenPairOutput,
)


class _PublicAuthView(APIView):
    # Credentials are in the body: a stale Authorization header or admin session must not
    # get in the way of logging in (nor require a CSRF token).
    authentication_classes: list = []


class TokenObtainView(_PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="로그인 (access/refresh 토큰 발급)",
        request=TokenObtainInput,
        responses={200: TokenPairOutput},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenObtainInput(data=request.data)
        data.is_valid(raise_exception=True)
        bundle = services.auth_token_obtain(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        return Response(bundle)


class TokenRefreshView(_PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="토큰 갱신 (refresh 토큰 회전)",
        request=RefreshInput,
        responses={200: TokenPairOutput},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.auth_token_refresh(raw=data.validated_data["refresh"]))


class LogoutView(_PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="로그아웃 (refresh 토큰과 같은 로그인에서 회전된 토큰 모두 폐기)",
        request=RefreshInput,
        responses={200: LogoutOutput},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        revoked = services.auth_logout(raw=data.validated_data["refresh"])
        return Response({"logged_out": True, "revoked": revoked})


@extend_schema(tags=["platform"], summary="감사 로그 조회 (ADMIN)", parameters=[AuditLogQuery])
class AuditLogListView(PagedReadView):
    query_serializer = AuditLogQuery
    output_serializer = AuditLogPage
    rows_key = "logs"
    customer_kwarg = None

    def page_rows(self, read: Read, *, limit: int, offset: int) -> tuple[list, int]:
        params = read.query
        qs = selectors.audit_logs_list(
            customer_id=params.get("customer"),
            actor=params.get("actor"),
            action=params.get("action"),
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
        )
        return AuditLogOutput(qs[offset : offset + limit], many=True).data, qs.count()
