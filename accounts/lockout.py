"""django-axes lock-out answer: the envelope with 403 ACCOUNT_LOCKED and Retry-After."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.errors import ErrorCode
from core.middleware import json_error


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:  # noqa: ANN002, ANN003
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return json_error(
        403,
        ErrorCode.ACCOUNT_LOCKED,
        getattr(request, "request_id", "-"),
        headers={"Retry-After": str(cooloff)},
    )
