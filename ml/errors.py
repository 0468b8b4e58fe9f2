"""Error codes of the ml endpoints (the generic ones live in core/errors.py)."""

from __future__ import annotations

from enum import StrEnum


class MlErrorCode(StrEnum):
    REVIEW_NOT_FOUND = "REVIEW_NOT_FOUND"


MESSAGES: dict[str, str] = {
    MlErrorCode.REVIEW_NOT_FOUND: "리뷰를 찾을 수 없습니다",
}
