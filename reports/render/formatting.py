"""Number formats shared by the PDF and the XLSX: money in the report currency (``core.money``),
percentages."""

from __future__ import annotations

from core.money import currency_decimals, currency_symbol, format_money


def decimals_of(currency: str) -> int:
    return currency_decimals(currency)


def money(value: float | int | None, currency: str) -> str:
    """``₩1,234,500`` / ``$1,234.50`` / ``1,234.50 CHF`` (``core.money``); ``—`` for no value."""
    return "—" if value is None else format_money(value, currency)


def excel_money_format(currency: str) -> str:
    """An Excel number format for ``currency`` with the same sign and decimals as
    ``core.money`` (numbers stay numbers)."""
    symbol, decimals = currency_symbol(currency), currency_decimals(currency)
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    if symbol:
        return f'"{symbol}"{body};-"{symbol}"{body}'
    return f'{body} "{currency}";-{body} "{currency}"'


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def percent(value: float | None, signed: bool = False) -> str:
    """``60.0%``; ``+12.5%`` with ``signed``; ``—`` for no value."""
    if value is None:
        return "—"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"
