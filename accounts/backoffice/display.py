"""Read-only columns of the back office: money and masked personal data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model

from accounts.masking import mask_value
from core.money import format_money


def money(value: Any, currency: str = "KRW") -> str:
    """``1305000`` → ``₩1,305,000``, ``25610`` in GBP → ``£25,610.00`` (``core.money``)."""
    if value is None:
        return "-"
    return format_money(value, currency)


def masked_field_display(field: str, label: str) -> Any:
    """A read-only display function showing ``field`` masked (used for list columns and detail)."""

    @admin.display(description=label, ordering=field)
    def display(self: Any, obj: Model) -> str:
        return mask_value(field, getattr(obj, field, "") or "") or "-"

    display.__name__ = f"masked_{field}"
    return display
