"""django-axes lock-out answer (``AXES_LOCKOUT_CALLABLE``): the envelope with 403
ACCOUNT_LOCKED and Retry-After under /api/, a plain Korean page elsewhere (admin login)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.errors import ErrorCode
from core.middleware import is_api_path, json_error


def lockout_response(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    headers = {"Retry-After": str(cooloff)}
    if is_api_path(request.path):
        return json_error(403, ErrorCode.ACCOUNT_LOCKED, getattr(request, "request_id", "-"), headers=headers)
    minutes = max(cooloff // 60, 1)
    message = ErrorCode.ACCOUNT_LOCKED.message
    body = f"<!doctype html><meta charset='utf-8'><title>계정 잠김</title><h1>계정 잠김</h1><p>{message} ({minutes}분 후)</p>"
    response = HttpResponse(body, status=403, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(cooloff)
    return response
