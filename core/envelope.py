"""The response envelope of API.md: one shape for every response under /api/."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import orjson

from .errors import ErrorCodeEnum, message_for


class EnvelopeBody(dict):
    """A body that is already an envelope; the renderer passes it through unchanged."""


def utc_timestamp() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def success_body(data: Any, *, request_id: str, message: str = "Success") -> EnvelopeBody:
    return EnvelopeBody(success=True, data=data, message=message, timestamp=utc_timestamp(), request_id=request_id)


def error_body(
    code: ErrorCodeEnum, *, request_id: str, message: str | None = None, details: dict | None = None
) -> EnvelopeBody:
    return EnvelopeBody(
        success=False,
        error={
            "code": str(code),
            "message": message or message_for(code),
            "details": details or {},
        },
        timestamp=utc_timestamp(),
        request_id=request_id,
    )


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)  # lazy translation strings and the like


def dumps(body: Any) -> bytes:
    return orjson.dumps(
        body,
        default=_default,
        option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z,
    )
