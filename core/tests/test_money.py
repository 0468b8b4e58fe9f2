from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.money import currency_decimals, format_money, round_money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("1450000"), "KRW", "₩1,450,000"),
        (Decimal("25610.00"), "KRW", "₩25,610"),
        (Decimal("1449.5"), "KRW", "₩1,450"),  # half-up to the won
        (Decimal("25610"), "GBP", "£25,610.00"),
        (Decimal("0.005"), "GBP", "£0.01"),
        (8.5, "USD", "$8.50"),
        ("1234567.891", "EUR", "€1,234,567.89"),
        (Decimal("1200"), "JPY", "¥1,200"),
        (Decimal("-5000"), "KRW", "-₩5,000"),
        (Decimal("1234.5"), "CHF", "1,234.50 CHF"),
        (None, "GBP", "£0.00"),
    ],
)
def test_format_money(amount, currency, expected):
    assert format_money(amount, currency) == expected


def test_number_without_symbol_and_decimals():
    assert format_money(Decimal("1450000"), "KRW", symbol=False) == "1,450,000"
    assert format_money(Decimal("3.9"), "GBP", symbol=False) == "3.90"
    assert currency_decimals("krw") == 0 and currency_decimals("GBP") == 2
    assert round_money("12.345", "USD") == Decimal("12.35")


def test_template_filter_defaults_to_the_shop_currency(settings):
    settings.SHOP_CURRENCY = "GBP"
    html = Template(
        '{% load money %}{{ a|money }} {{ b|money:"KRW" }} {{ b|money_number:"KRW" }} {{ c|money }}'
    ).render(Context({"a": Decimal("1234.5"), "b": 1450000, "c": None}))
    assert html == "£1,234.50 ₩1,450,000 1,450,000 -"
