"""Money as users expect to read it: one helper for the admin, reports and docs.

``format_money(Decimal("1450000"), "KRW")`` → ``"₩1,450,000"``; ``format_money(25610, "GBP")`` →
``"£25,610.00"``. The number of decimals follows ISO 4217 minor units (KRW and JPY have none;
USD, EUR, GBP and CNY have two) and amounts are rounded half-up to them. Unknown codes keep
two decimals and show the code after the number (``"1,234.50 CHF"``).

Nothing here converts between currencies: a figure is always in the currency it was recorded in.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units of the currencies the project knows; everything else: 2
MINOR_UNITS: dict[str, int] = {"KRW": 0, "JPY": 0, "USD": 2, "EUR": 2, "GBP": 2, "CNY": 2}
SYMBOLS: dict[str, str] = {"KRW": "₩", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥"}


def currency_decimals(currency: str) -> int:
    """Digits after the decimal point that users expect for ``currency`` (0 for ₩ and ¥)."""
    return MINOR_UNITS.get((currency or "").upper(), 2)


def currency_symbol(currency: str) -> str:
    """The sign shown before an amount (``₩``, ``£``…), or ``""`` for an unknown code."""
    return SYMBOLS.get((currency or "").upper(), "")


def round_money(amount: Decimal | float | int | str | None, currency: str) -> Decimal:
    """``amount`` rounded half-up to the minor unit of ``currency`` (``None`` → 0)."""
    try:
        value = Decimal(str(amount)) if amount is not None else Decimal(0)
    except InvalidOperation:
        value = Decimal(0)
    return value.quantize(Decimal(1).scaleb(-currency_decimals(currency)), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | float | int | str | None, currency: str, *, symbol: bool = True) -> str:
    """``amount`` with thousand separators, the currency's decimals and its sign.

    ``symbol=False`` gives the number alone (``"1,450,000"``) for tables that name the
    currency in their header. A negative amount reads ``-₩5,000``.
    """
    code = (currency or "").upper()
    value = round_money(amount, code)
    digits = f"{abs(value):,.{currency_decimals(code)}f}"
    sign = "-" if value < 0 else ""
    if not symbol:
        return f"{sign}{digits}"
    mark = currency_symbol(code)
    return f"{sign}{mark}{digits}" if mark else f"{sign}{digits} {code}".rstrip()


__all__ = ["MINOR_UNITS", "SYMBOLS", "currency_decimals", "currency_symbol", "format_money", "round_money"]
