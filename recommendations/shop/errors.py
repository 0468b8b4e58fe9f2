"""Error codes of the shop recommendation endpoints (Korean default messages)."""

from __future__ import annotations

from enum import StrEnum


class ShopRecError(StrEnum):
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"


MESSAGES = {
    ShopRecError.PRODUCT_NOT_FOUND: "상품을 찾을 수 없습니다",
}
NOT_TRAINED_MESSAGE = "상품 추천 모델이 아직 학습되지 않았습니다 (manage.py train_product_recs)"
