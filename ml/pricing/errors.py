"""Error codes of the price optimiser (the envelope's ``error.code``), Korean default messages."""

from __future__ import annotations

from enum import StrEnum


class PricingError(StrEnum):
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"


MESSAGES: dict[str, str] = {
    PricingError.PRODUCT_NOT_FOUND: "상품을 찾을 수 없습니다",
}
