"""Error codes of the ml endpoints (the generic ones live in core/errors.py; an unknown product
is ``commerce.errors.CommerceError.PRODUCT_NOT_FOUND``)."""

from __future__ import annotations

from core.errors import ErrorCodeEnum


class MlErrorCode(ErrorCodeEnum):
    REVIEW_NOT_FOUND = "REVIEW_NOT_FOUND", "리뷰를 찾을 수 없습니다"
