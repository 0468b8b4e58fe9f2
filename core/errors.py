"""Stable error codes of the API envelope (API.md "Envelope") and the exception that carries one.

Domain apps raise :class:`ApiError` (or a subclass) from services; the exception handler turns
it into the envelope. Messages are Korean.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
    MISSING_TOKEN = "MISSING_TOKEN"  # noqa: S105 - an error code, not a secret
    INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105 - an error code, not a secret
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    UNAUTHORIZED_ACCESS = "UNAUTHORIZED_ACCESS"
    NOT_FOUND = "NOT_FOUND"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    IMAGE_DOWNLOAD_FAILED = "IMAGE_DOWNLOAD_FAILED"
    MODEL_NOT_TRAINED = "MODEL_NOT_TRAINED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


DEFAULT_MESSAGES: dict[str, str] = {
    ErrorCode.VALIDATION_ERROR: "입력값이 올바르지 않습니다",
    ErrorCode.INSUFFICIENT_DATA: "분석을 위한 데이터가 부족합니다",
    ErrorCode.MISSING_TOKEN: "인증 토큰이 필요합니다",
    ErrorCode.INVALID_TOKEN: "유효하지 않은 토큰입니다",
    ErrorCode.INVALID_CREDENTIALS: "아이디 또는 비밀번호가 올바르지 않습니다",
    ErrorCode.ACCOUNT_LOCKED: "로그인 실패가 반복되어 계정이 잠겼습니다. 잠시 후 다시 시도하세요",
    ErrorCode.UNAUTHORIZED_ACCESS: "이 작업을 수행할 권한이 없습니다",
    ErrorCode.NOT_FOUND: "요청한 리소스를 찾을 수 없습니다",
    ErrorCode.CUSTOMER_NOT_FOUND: "고객을 찾을 수 없습니다",
    ErrorCode.METHOD_NOT_ALLOWED: "허용되지 않은 메서드입니다",
    ErrorCode.NOT_ACCEPTABLE: "요청한 응답 형식을 제공할 수 없습니다",
    ErrorCode.CONFLICT: "요청이 현재 상태와 충돌합니다",
    ErrorCode.PAYLOAD_TOO_LARGE: "요청 본문이 너무 큽니다",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "지원하지 않는 콘텐츠 형식입니다",
    ErrorCode.RATE_LIMIT_EXCEEDED: "요청 한도를 초과했습니다",
    ErrorCode.IMAGE_DOWNLOAD_FAILED: "이미지를 내려받지 못했습니다",
    ErrorCode.MODEL_NOT_TRAINED: "학습된 모델이 없습니다",
    ErrorCode.SERVICE_UNAVAILABLE: "서비스를 일시적으로 사용할 수 없습니다",
    ErrorCode.INTERNAL_ERROR: "서버 내부 오류가 발생했습니다",
}


class ApiError(Exception):
    """An error with a stable code, HTTP status, Korean message and details."""

    status_code = 400
    code: str = ErrorCode.VALIDATION_ERROR

    def __init__(
        self,
        code: str | None = None,
        message: str | None = None,
        *,
        status: int | None = None,
        details: dict | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        if status is not None:
            self.status_code = status
        self.message = message or DEFAULT_MESSAGES.get(self.code, "오류가 발생했습니다")
        self.details = details or {}
        super().__init__(self.message)


class NotFoundError(ApiError):
    """``<ENTITY>_NOT_FOUND`` 404, e.g. ``NotFoundError("CUSTOMER_NOT_FOUND")``."""

    status_code = 404
    code = ErrorCode.NOT_FOUND


class ValidationFailed(ApiError):
    status_code = 400
    code = ErrorCode.VALIDATION_ERROR


class InsufficientData(ApiError):
    """Not enough history for an analysis; ``details`` says what is missing."""

    status_code = 400
    code = ErrorCode.INSUFFICIENT_DATA


class ModelNotTrained(ApiError):
    status_code = 503
    code = ErrorCode.MODEL_NOT_TRAINED


class ServiceUnavailable(ApiError):
    """503 ``SERVICE_UNAVAILABLE`` with ``Retry-After`` (a dependency such as the database is
    unreachable; the client should retry later)."""

    status_code = 503
    code = ErrorCode.SERVICE_UNAVAILABLE

    def __init__(self, message: str | None = None, *, details: dict | None = None, retry_after: int = 5) -> None:
        super().__init__(message=message, details=details)
        self.headers = {"Retry-After": str(retry_after)}
