"""The one exception handler: every error under /api/ becomes the envelope with a stable code."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from .envelope import error_body
from .errors import ApiError, ErrorCode, ErrorCodeEnum
from .outages import dependency_failed
from .request_context import current_request_id

logger = logging.getLogger("api")


def _drf_details(detail: object) -> dict:
    if isinstance(detail, dict):
        return {"fields": detail}
    if isinstance(detail, list):
        return {"errors": detail}
    return {}


def classify(exc: BaseException) -> tuple[int, ErrorCodeEnum, str | None, dict, dict]:
    """(status, code, message, details, headers) for any exception."""
    headers: dict = {}
    if isinstance(exc, ApiError):
        return exc.status_code, exc.code, exc.message, exc.details, dict(getattr(exc, "headers", None) or {})
    if isinstance(exc, Http404):
        return 404, ErrorCode.NOT_FOUND, None, {}, headers
    if isinstance(exc, RequestDataTooBig):
        return 413, ErrorCode.PAYLOAD_TOO_LARGE, None, {}, headers
    if isinstance(exc, PermissionDenied):
        return 403, ErrorCode.UNAUTHORIZED_ACCESS, None, {}, headers
    if isinstance(exc, SuspiciousOperation):
        # a bad Host header, too many form fields or files: the request itself is at fault
        return 400, ErrorCode.VALIDATION_ERROR, "요청을 처리할 수 없습니다", {}, headers
    if isinstance(exc, (OverflowError, DataError)):
        # an id past the 64-bit range, a date at the end of the calendar: out of range input
        return 400, ErrorCode.VALIDATION_ERROR, "값이 허용 범위를 벗어났습니다", {}, headers
    if isinstance(exc, DjangoValidationError):
        details = {"fields": exc.message_dict} if hasattr(exc, "error_dict") else {"errors": exc.messages}
        return 400, ErrorCode.VALIDATION_ERROR, None, details, headers
    if isinstance(exc, drf.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(max(int(wait), 1))
        mapping = {
            drf.NotAuthenticated: (401, ErrorCode.MISSING_TOKEN, None),
            drf.AuthenticationFailed: (401, ErrorCode.INVALID_TOKEN, None),
            drf.PermissionDenied: (403, ErrorCode.UNAUTHORIZED_ACCESS, None),
            drf.NotFound: (404, ErrorCode.NOT_FOUND, None),
            drf.MethodNotAllowed: (405, ErrorCode.METHOD_NOT_ALLOWED, None),
            drf.NotAcceptable: (406, ErrorCode.NOT_ACCEPTABLE, None),
            drf.UnsupportedMediaType: (415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, None),
            drf.Throttled: (429, ErrorCode.RATE_LIMIT_EXCEEDED, None),
            drf.ParseError: (400, ErrorCode.VALIDATION_ERROR, "요청 본문을 해석할 수 없습니다"),
            drf.ValidationError: (400, ErrorCode.VALIDATION_ERROR, None),
        }
        for klass, (status, code, message) in mapping.items():
            if isinstance(exc, klass):
                details = _drf_details(exc.detail) if klass is drf.ValidationError else {}
                if klass is drf.Throttled and "Retry-After" in headers:
                    details = {"retry_after": int(headers["Retry-After"])}
                return status, code, message, details, headers
        return exc.status_code, ErrorCode.VALIDATION_ERROR, None, {}, headers
    if _database_unreachable(exc):
        # logged once per outage (core/outages.py), answered fast with a retry hint
        dependency_failed("database", exc)
        headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return 503, ErrorCode.SERVICE_UNAVAILABLE, DATABASE_DOWN_MESSAGE, {}, headers
    return 500, ErrorCode.INTERNAL_ERROR, None, {}, headers


DATABASE_RETRY_AFTER = 5
DATABASE_DOWN_MESSAGE = "데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도하세요"


def _database_unreachable(exc: BaseException) -> bool:
    """A connection-level database failure (refused, timed out, pool exhausted, dropped)."""
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    # psycopg_pool.PoolTimeout when Django's pool is used and no connection can be made
    return any(klass.__name__ in {"PoolTimeout", "OperationalError"} for klass in type(exc).__mro__) and (
        type(exc).__module__.startswith(("psycopg", "psycopg_pool"))
    )


def envelope_response(exc: BaseException, request_id: str | None = None) -> Response:
    status, code, message, details, headers = classify(exc)
    if status >= 500 and status != 503 and not isinstance(exc, ApiError):
        logger.exception("unhandled error: %s", type(exc).__name__, exc_info=exc)
    body = error_body(code, request_id=request_id or current_request_id(), message=message, details=details)
    response = Response(body, status=status, headers=headers)
    return response


def api_exception_handler(exc: BaseException, context: dict) -> Response:
    request = context.get("request")
    return envelope_response(exc, getattr(request, "request_id", None))
