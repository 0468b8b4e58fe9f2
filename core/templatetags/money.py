"""``{% load money %}``: ``{{ amount|money:"GBP" }}`` → ``£1,234.50``, ``{{ amount|money }}`` in
the shop's currency (``settings.SHOP_CURRENCY``); ``{{ amount|money_number:"KRW" }}`` without the sign."""

from __future__ import annotations

from django import template
from django.conf import settings

from core.money import format_money

register = template.Library()


@register.filter(name="money")
def money(amount: object, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return "-"
    return format_money(amount, currency or settings.SHOP_CURRENCY)  # type: ignore[arg-type]


@register.filter(name="money_number")
def money_number(amount: object, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return "-"
    return format_money(amount, currency or settings.SHOP_CURRENCY, symbol=False)  # type: ignore[arg-type]
