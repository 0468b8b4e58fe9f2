"""``Idempotency-Key`` for the API's creating ``POST`` requests (docs/security.md).

A client that may retry (a timeout, a dropped connection) sends a key of its choosing
(1-255 visible ASCII characters, e.g. a UUID). The first request with that key runs and its
answer is stored (table ``core_idempotencyrecord``, kept ``IDEMPOTENCY_TTL_HOURS``, default
24). The same caller sending the same key again gets:

- the same body and status (marked ``Idempotent-Replayed: true``) when the method, path and
  body are the same; nothing is created twice;
- ``422 IDEMPOTENCY_KEY_REUSED`` when the body or path differ;
- ``409 IDEMPOTENCY_IN_PROGRESS`` while the first request is still running.

Keys are per caller (user id or service ``sub``): two users never share a stored answer.
A request that fails (any error) stores nothing, so it can be retried with the same key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from .envelope import dumps
from .errors import ApiError, ErrorCode
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _owner(request: Any) -> str:
    user = getattr(request, "user", None)
    if getattr(user, "pk", None) is not None:
        return f"user:{user.pk}"
    return f"service:{getattr(user, 'name', 'anonymous')}"[:160]


def _plain(value: Any) -> Any:
    if hasattr(value, "lists"):  # a QueryDict (form or multipart)
        return {k: [_plain(v) for v in vs] for k, vs in value.lists()}
    if hasattr(value, "read") and hasattr(value, "size"):  # an uploaded file
        return {"file": getattr(value, "name", ""), "size": value.size}
    return value


def request_fingerprint(request: Any) -> str:
    """SHA-256 of the method, path and the parsed body (key order ignored)."""
    body = json.dumps(_plain(request.data), sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _ttl() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "IDEMPOTENCY_TTL_HOURS", 24)))


def idempotency_prune() -> int:
    """Delete stored answers older than the TTL (run by the periodic reaper)."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
    return deleted


def _claim(owner: str, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=fingerprint), True
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if existing is None:
                continue  # deleted in between (the first request failed): claim again
            if existing.created_at < timezone.now() - _ttl():
                existing.delete()
                continue
            return existing, False
    raise ApiError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, status=409)


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view's ``post`` (runs after authentication, permissions and throttles)."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            raise ApiError(
                ErrorCode.VALIDATION_ERROR,
                "Idempotency-Key는 1~255자의 영문·숫자·기호여야 합니다",
                details={"fields": {HEADER: ["형식이 올바르지 않습니다"]}},
            )
        fingerprint = request_fingerprint(request)
        record, created = _claim(_owner(request), key, fingerprint)
        if not created:
            if record.fingerprint != fingerprint:
                raise ApiError(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    status=422,
                    details={"header": HEADER},
                )
            if record.status_code is None:
                raise ApiError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, status=409)
            return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if 200 <= response.status_code < 300:
            data = json.loads(dumps(response.data))  # exactly what the renderer writes
            IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, response=data)
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    return wrapper


def idempotency_parameter() -> object:
    """The ``Idempotency-Key`` header for ``@extend_schema(parameters=[...])``."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description="재시도해도 한 번만 만들어지도록 하는 키 (1~255자). 같은 키·같은 본문 → 같은 응답, "
        "다른 본문 → 422 IDEMPOTENCY_KEY_REUSED, 처리 중 → 409",
    )
