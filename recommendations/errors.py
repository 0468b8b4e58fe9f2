"""Error codes of the recommendation endpoints, with Korean default messages."""

from __future__ import annotations

from core.errors import ErrorCodeEnum


class RecommendationError(ErrorCodeEnum):
    RECOMMENDATION_NOT_FOUND = "RECOMMENDATION_NOT_FOUND", "추천을 찾을 수 없습니다"
