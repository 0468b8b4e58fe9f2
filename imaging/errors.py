"""Imaging error codes and the reasons an image could not be acquired (Korean messages).

A URL fetch that fails answers ``IMAGE_DOWNLOAD_FAILED`` (400) with ``details.reason`` from
:class:`FetchFailure`; an uploaded file that is not a usable image answers ``INVALID_IMAGE`` (400).
Messages never contain the address that was refused or resolved.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import ApiError, ErrorCode, ErrorCodeEnum


class ImagingErrorCode(ErrorCodeEnum):
    # IMAGE_DOWNLOAD_FAILED is a platform code of API.md: core.errors.ErrorCode
    INVALID_IMAGE = "INVALID_IMAGE", "사용할 수 없는 이미지 파일입니다"
    OCR_UNAVAILABLE = "OCR_UNAVAILABLE", "글자 인식(OCR)을 지금은 사용할 수 없습니다. 잠시 후 다시 시도하세요"


class FetchFailure(StrEnum):
    """Why an image could not be used (``details.reason``)."""

    BAD_URL = "bad_url"
    BAD_SCHEME = "bad_scheme"
    BLOCKED_ADDRESS = "blocked_address"
    DNS_FAILED = "dns_failed"
    CONNECT_FAILED = "connect_failed"
    TIMEOUT = "timeout"
    HTTP_STATUS = "http_status"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    UNSUPPORTED_FORMAT = "unsupported_format"
    FORMAT_MISMATCH = "format_mismatch"
    TOO_MANY_PIXELS = "too_many_pixels"
    CORRUPT = "corrupt"
    EMPTY = "empty"


FAILURE_MESSAGES: dict[str, str] = {
    FetchFailure.BAD_URL: "이미지 주소 형식이 올바르지 않습니다",
    FetchFailure.BAD_SCHEME: "이미지 주소는 http 또는 https만 사용할 수 있습니다",
    FetchFailure.BLOCKED_ADDRESS: "허용되지 않은 네트워크 주소의 이미지는 내려받을 수 없습니다",
    FetchFailure.DNS_FAILED: "이미지 서버의 주소를 찾을 수 없습니다",
    FetchFailure.CONNECT_FAILED: "이미지 서버에 연결할 수 없습니다",
    FetchFailure.TIMEOUT: "이미지 서버의 응답 시간이 초과되었습니다",
    FetchFailure.HTTP_STATUS: "이미지 서버가 오류로 응답했습니다",
    FetchFailure.TOO_MANY_REDIRECTS: "이미지 주소의 리다이렉트가 너무 많습니다",
    FetchFailure.UNSUPPORTED_FORMAT: "지원하지 않는 이미지 형식입니다 (JPEG, PNG, WebP만 가능)",
    FetchFailure.FORMAT_MISMATCH: "선언된 이미지 형식과 실제 파일 형식이 다릅니다",
    FetchFailure.TOO_MANY_PIXELS: "이미지의 픽셀 수가 허용 한도를 넘습니다",
    FetchFailure.CORRUPT: "이미지 파일이 손상되었거나 읽을 수 없습니다",
    FetchFailure.EMPTY: "이미지 파일이 비어 있습니다",
}


class ImageSourceError(ApiError):
    """An image that could not be acquired; ``source`` is ``url`` or ``upload``."""

    def __init__(self, reason: FetchFailure, *, source: str, extra: dict | None = None) -> None:
        code = ErrorCode.IMAGE_DOWNLOAD_FAILED if source == "url" else ImagingErrorCode.INVALID_IMAGE
        details = {"reason": str(reason), **(extra or {})}
        super().__init__(code, FAILURE_MESSAGES[reason], status=400, details=details)
        self.reason = reason


class ImageTooLarge(ApiError):
    """The image's bytes pass the limit (413 ``PAYLOAD_TOO_LARGE``)."""

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"이미지 파일이 너무 큽니다 (최대 {limit // (1024 * 1024)}MB)",
            status=413,
            details={"max_bytes": limit},
        )


class OcrUnavailable(ApiError):
    """Every OCR slot of this worker is busy, or Tesseract ran past its time limit (503)."""

    def __init__(self, message: str) -> None:
        super().__init__(ImagingErrorCode.OCR_UNAVAILABLE, message, status=503)
