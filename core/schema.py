"""OpenAPI: every operation documents the envelope, the request id and every error status.

``EnvelopeAutoSchema`` quietly treats an APIView without a serializer as a free-form object
(the envelope around it is still documented) and documents a read endpoint's declared
``output_serializer`` as its success body; ``envelope_postprocessing_hook`` wraps every
JSON success body in the envelope and adds the error responses of API.md to every operation,
so a schema-driven fuzzer finds no undocumented status codes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework.views import APIView

from .errors import ErrorCode, error_code_enums, message_for

HTTP_METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}

ERROR_RESPONSES: dict[int, tuple[str, list[str]]] = {
    400: ("입력값 오류 또는 분석 데이터 부족", [ErrorCode.VALIDATION_ERROR, ErrorCode.INSUFFICIENT_DATA]),
    401: (
        "인증 필요 또는 토큰 오류",
        [ErrorCode.MISSING_TOKEN, ErrorCode.INVALID_TOKEN, ErrorCode.INVALID_CREDENTIALS],
    ),
    403: ("권한 없음 또는 계정 잠김", [ErrorCode.UNAUTHORIZED_ACCESS, ErrorCode.ACCOUNT_LOCKED]),
    404: ("대상을 찾을 수 없음 (<ENTITY>_NOT_FOUND)", [ErrorCode.NOT_FOUND, ErrorCode.CUSTOMER_NOT_FOUND]),
    405: ("허용되지 않은 메서드", [ErrorCode.METHOD_NOT_ALLOWED]),
    409: (
        "현재 상태와 충돌 (잔여 없음, 같은 멱등 키의 요청 처리 중, 같은 대상의 동기화 진행 중, 리포트 미완성)",
        [ErrorCode.CONFLICT, ErrorCode.IDEMPOTENCY_IN_PROGRESS, "SYNC_IN_PROGRESS", "REPORT_NOT_READY"],
    ),
    406: ("제공할 수 없는 응답 형식", [ErrorCode.NOT_ACCEPTABLE]),
    413: ("요청 본문이 너무 큼", [ErrorCode.PAYLOAD_TOO_LARGE]),
    415: ("지원하지 않는 콘텐츠 형식", [ErrorCode.UNSUPPORTED_MEDIA_TYPE]),
    429: ("요청 한도 초과 (Retry-After 헤더)", [ErrorCode.RATE_LIMIT_EXCEEDED]),
    500: ("서버 내부 오류 (traceback 없음)", [ErrorCode.INTERNAL_ERROR]),
    503: (
        "서비스 일시 중단 (상태 확인 실패, 학습된 모델 없음)",
        [ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.MODEL_NOT_TRAINED],
    ),
}

REQUEST_ID_HEADER = {
    "description": "요청 ID: 요청의 X-Request-ID 를 그대로, 없으면 서버가 생성",
    "schema": {"type": "string"},
}
RETRY_AFTER_HEADER = {"description": "다시 시도할 때까지 기다릴 시간(초)", "schema": {"type": "integer", "minimum": 1}}


class EnvelopeAutoSchema(AutoSchema):
    def _get_serializer(self) -> Any:
        view = self.view
        if (
            isinstance(view, APIView)
            and not callable(getattr(view, "get_serializer", None))
            and not callable(getattr(view, "get_serializer_class", None))
            and not hasattr(view, "serializer_class")
        ):
            return OpenApiTypes.OBJECT
        return super()._get_serializer()

    def get_description(self) -> str:
        # A read endpoint without a docstring of its own gets none: the read pipeline's base
        # classes describe themselves to developers, not to API users.
        if hasattr(self.view, "read_http_method") and type(self.view).__dict__.get("__doc__") is None:
            return ""
        return super().get_description()

    def get_response_serializers(self) -> Any:
        # A read endpoint declares the shape of its ``data`` (accounts.api.read.ReadView
        # ``output_serializer``); an ``extend_schema(responses=…)`` on the view still wins.
        declared = getattr(self.view, "output_serializer", None)
        if declared is not None and self.method == getattr(self.view, "read_http_method", None):
            return declared
        return super().get_response_serializers()


def ok_example(data: Any, name: str = "예시") -> OpenApiExample:
    """A real success response for Swagger: the whole envelope around ``data``. A read endpoint
    passes it as ``extend_schema(examples=[...])``; its shape comes from ``output_serializer``."""
    example = {
        "success": True,
        "data": data,
        "message": "Success",
        "timestamp": "2026-11-29T10:00:00Z",
        "request_id": "req-8c1d2e",
    }
    return OpenApiExample(name, value=example, response_only=True)


def ok_response(
    data: Any, name: str = "예시", description: str = "", shape: Any = OpenApiTypes.OBJECT
) -> OpenApiResponse:
    """A success response with a real example (``ok_example``), so Swagger shows it instead of
    ``{"additionalProp1": "string"}``; ``shape`` is the serializer of ``data`` where there is one."""
    return OpenApiResponse(shape, description=description, examples=[ok_example(data, name)])


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _success_envelope(data_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["success", "data", "message", "timestamp", "request_id"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "data": data_schema or {},
            "message": {"type": "string", "example": "Success"},
            "timestamp": {"type": "string", "format": "date-time"},
            "request_id": {"type": "string"},
        },
    }


def error_envelope() -> dict:
    """The error envelope's schema; ``code`` lists every code of every app's enum."""
    codes = sorted({str(code) for klass in error_code_enums() for code in klass})
    return {
        "type": "object",
        "description": "오류 응답 envelope (모든 /api/ 오류 공통)",
        "required": ["success", "error", "timestamp", "request_id"],
        "properties": {
            "success": {"type": "boolean", "enum": [False]},
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "message": {"type": "string", "description": "한국어 메시지"},
                    "details": {"type": "object", "additionalProperties": True},
                },
            },
            "timestamp": {"type": "string", "format": "date-time"},
            "request_id": {"type": "string"},
        },
    }


def _error_response(status: int, spec: tuple[str, list[str]] | None = None) -> dict:
    description, codes = spec or ERROR_RESPONSES[status]
    code = codes[0]
    example = {
        "success": False,
        "error": {"code": str(code), "message": message_for(code), "details": {}},
        "timestamp": "2026-11-22T10:00:00Z",
        "request_id": "req-3f2a…",
    }
    headers = {"X-Request-ID": REQUEST_ID_HEADER}
    if status == 429:
        headers["Retry-After"] = RETRY_AFTER_HEADER
    codes_text = ", ".join(f"`{c}`" for c in codes)
    return {
        "description": f"{description}: {codes_text}",
        "headers": headers,
        "content": {"application/json": {"schema": _ref("ErrorEnvelope"), "example": example}},
    }


def envelope_postprocessing_hook(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorEnvelope"] = error_envelope()
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if not str(status).startswith("2") or str(status) == "204":
                    continue
                content = response.get("content")
                if not content:
                    response["content"] = {"application/json": {"schema": _success_envelope({})}}
                else:
                    for media_type, media in content.items():
                        if media_type.startswith("application/json"):
                            media["schema"] = _success_envelope(media.get("schema", {}))
                response.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID_HEADER
            for status in ERROR_RESPONSES:
                responses.setdefault(str(status), _error_response(status))
            if any(
                p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])
            ):
                responses.setdefault("422", _error_response(422, IDEMPOTENCY_REUSED))
    return result


IDEMPOTENCY_REUSED = ("같은 멱등 키를 다른 요청에 다시 사용함", [ErrorCode.IDEMPOTENCY_KEY_REUSED])
