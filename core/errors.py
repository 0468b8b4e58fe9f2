"""Stable error codes of the API envelope (API.md "Envelope") and the exception that carries one.

Every code is a member of an :class:`ErrorCodeEnum`: ``core`` declares the platform's codes
(:class:`ErrorCode`, the ones API.md lists), and each app declares its own in ``<app>/errors.py``
(``customers.errors.CenterError``, ``commerce.errors.CommerceError``, …). A member carries its
Korean default message, so the envelope never looks a message up by string, and
:class:`ApiError` refuses anything that is not a member: a typo cannot reach a client.

Domain apps raise :class:`ApiError` (or a subclass) from services; the exception handler turns
it into the envelope.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.module_loading import autodiscover_modules

FALLBACK_MESSAGE = "오류가 발생했습니다"


class ErrorCodeEnum(StrEnum):
    """Base of every error-code enum: ``NAME = "NAME", "한국어 기본 메시지"``.

    Members compare and serialise as their code string (``StrEnum``); ``member.message`` is the
    default message of the envelope. Values are unique across all enums (checked by
    ``core/tests/test_error_codes.py``), so :func:`error_code` can find a member by its string.
    """

    message: str

    def __new__(cls, value: str, message: str) -> ErrorCodeEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member


class ErrorCode(ErrorCodeEnum):
    """The platform's codes (API.md "Envelope"), used by more than one app or by ``core`` itself."""

    VALIDATION_ERROR = "VALIDATION_ERROR", "입력값이 올바르지 않습니다"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA", "분석을 위한 데이터가 부족합니다"
    MISSING_TOKEN = "MISSING_TOKEN", "인증 토큰이 필요합니다"
    INVALID_TOKEN = "INVALID_TOKEN", "유효하지 않은 토큰입니다"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", "아이디 또는 비밀번호가 올바르지 않습니다"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED", "로그인 실패가 반복되어 계정이 잠겼습니다. 잠시 후 다시 시도하세요"
    UNAUTHORIZED_ACCESS = "UNAUTHORIZED_ACCESS", "이 작업을 수행할 권한이 없습니다"
    NOT_FOUND = "NOT_FOUND", "요청한 리소스를 찾을 수 없습니다"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND", "고객을 찾을 수 없습니다"
    JOB_NOT_FOUND = "JOB_NOT_FOUND", "작업을 찾을 수 없습니다"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", "허용되지 않은 메서드입니다"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE", "요청한 응답 형식을 제공할 수 없습니다"
    CONFLICT = "CONFLICT", "요청이 현재 상태와 충돌합니다"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS", "같은 멱등 키의 요청이 처리 중입니다"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED", "이 멱등 키는 다른 요청에 이미 사용되었습니다"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", "요청 본문이 너무 큽니다"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", "지원하지 않는 콘텐츠 형식입니다"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED", "요청 한도를 초과했습니다"
    IMAGE_DOWNLOAD_FAILED = "IMAGE_DOWNLOAD_FAILED", "이미지를 내려받지 못했습니다"
    MODEL_NOT_TRAINED = "MODEL_NOT_TRAINED", "학습된 모델이 없습니다"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE", "서비스를 일시적으로 사용할 수 없습니다"
    INTERNAL_ERROR = "INTERNAL_ERROR", "서버 내부 오류가 발생했습니다"


def error_code_enums() -> list[type[ErrorCodeEnum]]:
    """Every error-code enum of the installed apps (imports each app's ``errors`` module)."""
    autodiscover_modules("errors")
    found: list[type[ErrorCodeEnum]] = []
    pending = list(ErrorCodeEnum.__subclasses__())
    while pending:
        klass = pending.pop(0)
        found.append(klass)
        pending.extend(klass.__subclasses__())
    return found


def error_code(value: str) -> ErrorCodeEnum | None:
    """The member whose code is ``value`` (for documentation and tests; code raises members)."""
    for klass in error_code_enums():
        if value in klass._value2member_map_:
            return klass(value)
    return None


def message_for(code: str) -> str:
    """The Korean default message of a code (a member's own, else the registered member's)."""
    if isinstance(code, ErrorCodeEnum):
        return code.message
    member = error_code(code)
    return member.message if member is not None else FALLBACK_MESSAGE


def _checked(code: object) -> ErrorCodeEnum:
    # A StrEnum member is also a str, so the test is on the enum class, not on str.
    if not isinstance(code, ErrorCodeEnum):
        raise TypeError(f"an error code must be an ErrorCodeEnum member, not {code!r}")
    return code


class ApiError(Exception):
    """An error with a stable code (an :class:`ErrorCodeEnum` member), HTTP status, Korean
    message and details."""

    status_code = 400
    code: ErrorCodeEnum = ErrorCode.VALIDATION_ERROR

    def __init__(
        self,
        code: ErrorCodeEnum | None = None,
        message: str | None = None,
        *,
        status: int | None = None,
        details: dict | None = None,
    ) -> None:
        self.code = _checked(self.code if code is None else code)
        if status is not None:
            self.status_code = status
        self.message = message or self.code.message
        self.details = details or {}
        super().__init__(self.message)

    def __reduce__(self) -> tuple:
        # pickle and copy rebuild from the attributes: ``args`` holds only the message, and
        # ``ApiError(message)`` would (rightly) refuse it as a code
        return _rebuild, (type(self), self.message, dict(self.__dict__))


def _rebuild(klass: type[ApiError], message: str, state: dict) -> ApiError:
    error = klass.__new__(klass)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class NotFoundError(ApiError):
    """``<ENTITY>_NOT_FOUND`` 404, e.g. ``NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND)``."""

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
