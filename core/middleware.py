"""Request id and the envelope for responses Django makes itself under /api/
(unknown paths, body too large, errors raised outside DRF views)."""

from __future__ import annotations

import io
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse

from .envelope import dumps, error_body
from .errors import ErrorCode, ErrorCodeEnum
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
    status: int, code: ErrorCodeEnum, request_id: str, message: str | None = None, headers: dict | None = None
) -> HttpResponse:
    response = HttpResponse(
        dumps(error_body(code, request_id=request_id, message=message)),
        status=status,
        content_type="application/json",
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


ERROR_CODES = {
    400: ErrorCode.VALIDATION_ERROR,
    401: ErrorCode.MISSING_TOKEN,
    403: ErrorCode.UNAUTHORIZED_ACCESS,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.RATE_LIMIT_EXCEEDED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}


def envelope_for_error(response: HttpResponse, request_id: str) -> HttpResponse:
    """An error response under /api/ that is not JSON yet, as the envelope."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
        return response  # a success, or DRF already answered with the envelope
    code = ERROR_CODES.get(response.status_code, ErrorCode.INTERNAL_ERROR)
    headers = {k: response[k] for k in ("Allow", "Retry-After") if response.has_header(k)}
    status = response.status_code if response.status_code in ERROR_CODES else 500
    return json_error(status, code, request_id, headers=headers)


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
        if is_api_path(request.path):
            # Errors Django answers in the middleware before ours (a bad Host header: 400 HTML
            # from CommonMiddleware's get_host()) still leave in the envelope.
            response = envelope_for_error(response, request_id)
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
            too_big = self._buffer_chunked_body(request, request_id)
            if too_big is not None:
                return too_big
        response = self.get_response(request)
        if not is_api_path(request.path):
            return response
        return envelope_for_error(response, request_id)

    @staticmethod
    def _buffer_chunked_body(request: HttpRequest, request_id: str) -> HttpResponse | None:
        """A body sent without ``Content-Length`` (chunked) is read here up to the limit: past
        it the answer is 413 (Django only checks the limit against ``Content-Length``, and DRF
        read such a body as empty); within it the body is kept with its length set."""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if request.META.get("CONTENT_LENGTH") or not chunked or request.method not in ("POST", "PUT", "PATCH"):
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = request.META["wsgi.input"]  # the server de-chunks it (gunicorn)
        size = len(raw) if hasattr(raw, "__len__") else limit + 1  # the test client's payload
        data = raw.read(min(size, limit + 1))
        if len(data) > limit:
            return json_error(413, ErrorCode.PAYLOAD_TOO_LARGE, request_id)
        request._stream = LimitedStream(io.BytesIO(data), len(data))  # type: ignore[attr-defined]
        request.META["CONTENT_LENGTH"] = str(len(data))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        status, code, message, _details, headers = classify(exception)
        if isinstance(exception, RequestDataTooBig):
            status, code = 413, ErrorCode.PAYLOAD_TOO_LARGE
        if status >= 500 and status != 503:
            logger.exception("unhandled error outside a view", exc_info=exception)
        return json_error(status, code, getattr(request, "request_id", "-"), message, headers)
