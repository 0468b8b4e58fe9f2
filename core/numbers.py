"""Numbers for JSON: money as an integer when it has no fraction (KRW), else a float."""

from __future__ import annotations

from decimal import Decimal


def money_number(value: Decimal | None) -> int | float | None:
    """Money as an integer when whole (KRW has no minor unit), other decimals as float."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)
