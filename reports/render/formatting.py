"""Number formats shared by the PDF and the XLSX: money in the report currency, percentages."""

from __future__ import annotations

# (symbol shown before the amount, decimals); other ISO codes are written after the amount
CURRENCY_STYLE: dict[str, tuple[str, int]] = {
    "KRW": ("₩", 0),
    "USD": ("$", 2),
    "EUR": ("€", 2),
    "GBP": ("£", 2),
    "JPY": ("¥", 0),
    "CNY": ("CN¥", 2),
}
CURRENCY_NAMES = {"KRW": "원", "USD": "미국 달러", "EUR": "유로", "GBP": "파운드", "JPY": "엔", "CNY": "위안"}


def decimals_of(currency: str) -> int:
    return CURRENCY_STYLE.get(currency, ("", 2))[1]


def money(value: float | int | None, currency: str) -> str:
    """``₩1,234,500`` / ``$1,234.50`` / ``1,234.50 CHF``; ``—`` for no value."""
    if value is None:
        return "—"
    symbol, decimals = CURRENCY_STYLE.get(currency, ("", 2))
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.{decimals}f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def excel_money_format(currency: str) -> str:
    """An Excel number format for ``currency`` (numbers stay numbers)."""
    symbol, decimals = CURRENCY_STYLE.get(currency, ("", 2))
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
