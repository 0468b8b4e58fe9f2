"""Request id and the envelope for responses Django makes itself under /api/
(unknown paths, body too large, errors raised outside DRF views)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from .envelope import dumps, error_body
from .errors import ErrorCode
from .exceptions import classify
from .request_context import request_id_var

logger = logging.getLogger("api")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
API_PREFIX = "/api/"
# Swagger UI and the schema are HTML/YAML on purpose.
NON_ENVELOPE_PREFIXES = ("/api/docs", "/api/schema")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(NON_ENVELOPE_PREFIXES)


def json_error(
    status: int, code: str, request_id: str, message: str | None = None, headers: dict | None = None
) -> HttpResponse:
    response = HttpResponse(
        dumps(error_body(code, request_id=request_id, message=message)),
        status=status,
        content_type="application/json",
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


class RequestIDMiddleware:
    """Takes ``X-Request-ID`` from the caller (if well-formed) or makes one; echoes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _VALID_REQUEST_ID.match(given or "") else f"req-{uuid.uuid4().hex}"
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ApiEnvelopeMiddleware:
    """Turns Django's own error responses under /api/ into the envelope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = getattr(request, "request_id", "-")
        if is_api_path(request.path):
            length = request.META.get("CONTENT_LENGTH") or "0"
            try:
                too_big = int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            except ValueError:
                too_big = False
            if too_big:
                return json_error(413, ErrorCode.PAYLOAD_TOO_LARGE, request_id)
        response = self.get_response(request)
        if not is_api_path(request.path) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # DRF already answered with the envelope
        codes = {
            400: ErrorCode.VALIDATION_ERROR,
            401: ErrorCode.MISSING_TOKEN,
            403: ErrorCode.UNAUTHORIZED_ACCESS,
            404: ErrorCode.NOT_FOUND,
            405: ErrorCode.METHOD_NOT_ALLOWED,
            413: ErrorCode.PAYLOAD_TOO_LARGE,
            415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            429: ErrorCode.RATE_LIMIT_EXCEEDED,
        }
        code = codes.get(response.status_code, ErrorCode.INTERNAL_ERROR)
        headers = {k: response[k] for k in ("Allow", "Retry-After") if response.has_header(k)}
        status = response.status_code if response.status_code in codes else 500
        return json_error(status, code, request_id, headers=headers)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        status, code, message, _details, headers = classify(exception)
        if isinstance(exception, RequestDataTooBig):
            status, code = 413, ErrorCode.PAYLOAD_TOO_LARGE
        if status >= 500 and status != 503:
            logger.exception("unhandled error outside a view", exc_info=exception)
        return json_error(status, code, getattr(request, "request_id", "-"), message, headers)
