"""The shop's reporting currency (``settings.SHOP_CURRENCY``) and the ``?currency=`` choice.

Every money figure of the shop (dashboard, behaviour, forecast, reports) is in one currency:
the configured one unless a caller selects another currency the shop records
(:class:`commerce.models.Currency`). Amounts in different currencies are never added up.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from core.errors import ValidationFailed

from .models import Currency


def currency_choices() -> list[str]:
    """The ISO 4217 codes the shop can record (and report in)."""
    return list(Currency.values)


def shop_currency() -> str:
    """The configured reporting currency (``SHOP_CURRENCY``, default ``KRW``)."""
    return (getattr(settings, "SHOP_CURRENCY", "") or Currency.KRW).strip().upper()


def currency_resolve(value: str | None) -> str:
    """``value`` (case-insensitive) if the shop records it, the shop's currency if empty;
    otherwise ``VALIDATION_ERROR`` naming the choices."""
    if value is None or not str(value).strip():
        return shop_currency()
    code = str(value).strip().upper()
    choices = currency_choices()
    if code not in choices:
        raise ValidationFailed(
            message=f"지원하지 않는 통화입니다: {value}. 선택 가능: {', '.join(choices)}",
            details={"fields": {"currency": [f"다음 중 하나여야 합니다: {', '.join(choices)}"]}, "choices": choices},
        )
    return code


@register()
def check_shop_currency(app_configs: object = None, **kwargs: object) -> list[Error]:
    """``SHOP_CURRENCY`` must be one of the recorded currencies (checked at start-up)."""
    code = shop_currency()
    if code not in currency_choices():
        return [
            Error(
                f"SHOP_CURRENCY={code!r} is not a currency the shop records",
                hint=f"Use one of: {', '.join(currency_choices())}",
                id="commerce.E001",
            )
        ]
    return []


__all__ = ["check_shop_currency", "currency_choices", "currency_resolve", "shop_currency"]
