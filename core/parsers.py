"""JSON request bodies with a nesting limit (issue 10 item 5).

DRF's parser hands the body to ``json.load``: a body nested 50,000 deep raised
``RecursionError`` (a 500). This parser uses orjson (its own limit is 1,024 levels, reported as
a decode error) and then refuses anything nested deeper than ``MAX_JSON_DEPTH`` (default 32;
no request of this API needs more than 4), as ``400 VALIDATION_ERROR``.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw:
            raise ParseError("요청 본문이 비어 있습니다")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError("요청 본문을 해석할 수 없습니다") from exc
        limit = int(getattr(settings, "MAX_JSON_DEPTH", 32))
        if json_depth_exceeds(data, limit):
            raise ParseError(f"JSON 중첩이 너무 깊습니다 (최대 {limit}단계)")
        return data
