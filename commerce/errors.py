"""Error codes of the shop (the API envelope's ``error.code``), with Korean default messages.

The apps above ``commerce`` (analytics, ml, recommendations) raise these for shop objects.
"""

from __future__ import annotations

from core.errors import ErrorCodeEnum


class CommerceError(ErrorCodeEnum):
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND", "상품을 찾을 수 없습니다"
    CATEGORY_NOT_FOUND = "CATEGORY_NOT_FOUND", "카테고리를 찾을 수 없습니다"
    ORDER_NOT_OWNED = "ORDER_NOT_OWNED", "다른 고객의 주문에는 리뷰를 쓸 수 없습니다"
    PRODUCT_NOT_IN_ORDER = "PRODUCT_NOT_IN_ORDER", "주문에 포함되지 않은 상품입니다"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION", "현재 상태에서 바꿀 수 없는 주문 상태입니다"
