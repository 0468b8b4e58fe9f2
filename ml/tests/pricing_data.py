"""Simulated demand with a known price elasticity, written as real orders and order lines.

Daily expected units ``λ_d = base/7 · season_d · trend_d · (p_d / p0) ** θ``; units are drawn from a
negative binomial (over-dispersed like real sales) and each day with sales becomes one order
line at that day's price. The list price moves every ``block_weeks`` among ``levels`` of the
base price, plus short promotions: the price history a real shop has.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from commerce.models import Order, OrderItem, OrderStatus, Product
from commerce.testing.factories import CategoryFactory, ProductFactory
from customers.testing.factories import CustomerFactory

END = dt.date(2026, 10, 31)  # a Saturday


def simulate_sales(
    *,
    product: Product,
    theta: float,
    base_per_week: float = 40.0,
    days: int = 540,
    end: dt.date = END,
    levels: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1, 1.2),
    block_weeks: int = 6,
    promo_share: float = 0.06,
    seed: int = 0,
    buyer: object | None = None,
    dispersion: float = 8.0,
) -> dict:
    """Write the orders; return the daily prices and expected units for checks."""
    rng = np.random.default_rng(seed)
    p0 = float(product.price)
    dates = [end - dt.timedelta(days=days - 1 - i) for i in range(days)]
    blocks = days // (7 * block_weeks) + 1
    list_mult = rng.choice(levels, blocks)
    mult = np.repeat(list_mult, 7 * block_weeks)[:days]
    promo = rng.random(days) < promo_share
    mult = np.where(promo, mult * 0.85, mult)
    digits = 0 if product.currency in {"KRW", "JPY"} else 2
    prices = np.round(p0 * mult, digits)
    doy = np.array([d.timetuple().tm_yday for d in dates])
    season = 1 + 0.25 * np.sin(2 * np.pi * doy / 365.25)
    trend = 1 + 0.3 * np.arange(days) / days
    weekday = np.array([1.15, 1.05, 1.0, 0.95, 0.9, 0.8, 1.15])[[d.weekday() for d in dates]]
    lam = base_per_week / 7 * season * trend * weekday * (prices / p0) ** theta
    units = rng.negative_binomial(dispersion, dispersion / (dispersion + lam))
    buyer = buyer or CustomerFactory()
    orders, lines = [], []
    for day, price, q in zip(dates, prices.tolist(), units.tolist(), strict=True):
        if q <= 0:
            continue
        created = dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)  # 12:00 in Seoul
        unit = Decimal(str(price)).quantize(Decimal("0.01"))
        order = Order(buyer=buyer, status=OrderStatus.DELIVERED, currency=product.currency, created_at=created)
        order.total = unit * q
        orders.append(order)
        lines.append((unit, q))
    Order.objects.bulk_create(orders, batch_size=500)
    OrderItem.objects.bulk_create(
        [
            OrderItem(order=o, product=product, quantity=q, unit_price=u, subtotal=u * q)
            for o, (u, q) in zip(orders, lines, strict=True)
        ],
        batch_size=500,
    )
    return {"prices": prices, "expected": lam, "units": units, "dates": dates}


def category_with_products(
    *, thetas: list[float], price: str = "10000", currency: str = "KRW", seed: int = 0, **kwargs: object
) -> list[Product]:
    """A fresh category with one simulated product per elasticity in ``thetas``."""
    category = CategoryFactory(name=f"시뮬레이션 {seed}-{len(thetas)}")
    buyer = CustomerFactory()
    products = []
    for i, theta in enumerate(thetas):
        product = ProductFactory(category=category, price=Decimal(price), currency=currency)
        simulate_sales(product=product, theta=theta, seed=seed + i, buyer=buyer, **kwargs)
        products.append(product)
    return products
