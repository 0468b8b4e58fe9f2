"""Filters of the report template: ``{{ value|money:currency }}``, ``{{ rate|pct }}``, ``{{ n|num }}``."""

from __future__ import annotations

from django import template

from reports.render import formatting

register = template.Library()


@register.filter
def money(value: float | int | None, currency: str) -> str:
    return formatting.money(value, currency)


@register.filter
def pct(value: float | None) -> str:
    return formatting.percent(value)


@register.filter
def signed_pct(value: float | None) -> str:
    return formatting.percent(value, signed=True)


@register.filter
def num(value: float | int | None, decimals: int = 0) -> str:
    return formatting.number(value, int(decimals))


@register.filter
def stars(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def signed_pp(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%p"
