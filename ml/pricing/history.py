"""Reads for price elasticity: units sold and revenue per product and local day, from order lines.

Counted: lines of orders that were not cancelled, paid in the product's own currency (an order
in USD for a KRW product says nothing about the KRW price), at a positive unit price (free
samples and manual adjustments are not price points). Rows are per product, day and unit
price, with the units and the number of lines: ``elasticity.build_periods`` takes a day's shelf
price as the price most lines were sold at, so a promotion moves it and a few discounted lines
(a coupon, a bulk buyer's tier price) do not.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from commerce.models import Order, OrderItem, OrderStatus
from core.timeutils import local_tz


def data_as_of() -> date | None:
    """The local day of the newest order (the history's end), or ``None`` without orders."""
    newest = Order.objects.aggregate(newest=Max("created_at"))["newest"]
    return timezone.localdate(newest, local_tz()) if newest else None


def daily_product_sales(*, product_ids: list[int] | None = None, until: date | None = None) -> pd.DataFrame:
    """Columns ``product_id``, ``day``, ``price``, ``units``, ``lines``, ``revenue``: one row per
    product, local day and unit price paid, days up to ``until`` inclusive."""
    qs = (
        OrderItem.objects.exclude(order__status=OrderStatus.CANCELLED)
        .filter(unit_price__gt=0, order__currency=F("product__currency"))
        .annotate(day=TruncDate("order__created_at", tzinfo=local_tz()))
    )
    if product_ids is not None:
        qs = qs.filter(product_id__in=product_ids)
    if until is not None:
        qs = qs.filter(day__lte=until)
    rows = qs.order_by().values("product_id", "day", "unit_price").annotate(units=Sum("quantity"), lines=Count("id"))
    frame = pd.DataFrame.from_records(
        rows.values_list("product_id", "day", "unit_price", "units", "lines"),
        columns=["product_id", "day", "price", "units", "lines"],
    )
    if frame.empty:
        return frame.assign(revenue=[])
    frame["lines"] = frame["lines"].astype(float)
    frame["units"] = frame["units"].astype(float)
    frame["price"] = frame["price"].astype(float)
    frame["revenue"] = frame["price"] * frame["units"]
    return frame
