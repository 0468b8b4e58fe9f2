"""The price that maximises expected revenue or profit under a constant-elasticity demand curve,
with 90 % intervals and a confidence from the elasticity's uncertainty (pure maths, no ORM).

Demand relative to the current price ``p0``: ``q(p) / q(p0) = (p / p0) ** θ``. So

- revenue ``p·q`` grows with the price when ``θ > −1`` and falls when ``θ < −1``: the revenue
  optimum is always an end of the allowed range;
- profit ``(p − c)·q`` peaks at ``p* = c·θ / (1 + θ)`` when ``θ < −1`` (the Lerner rule) and
  grows with the price otherwise.

Every percentage is a ratio of two points on the same curve, so it depends on θ alone and is
monotone in θ: its 90 % interval is the figure at the two ends of θ's 90 % interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .elasticity import Z90

DRAWS = 2000
REGRET_TOLERANCE = 0.01  # "right" = within 1 % of the best achievable under that elasticity
OBSERVED_SLACK = 0.005  # rounding: half a percent beyond the observed range is not extrapolation


@dataclass(frozen=True)
class Curve:
    theta: float
    sd: float
    base_log_units: float  # log expected units per week at ref_price
    base_se: float
    ref_price: float
    unit_cost: float | None

    def units(self, price: np.ndarray | float, theta: float | np.ndarray | None = None) -> np.ndarray:
        t = self.theta if theta is None else theta
        return np.exp(self.base_log_units + t * np.log(np.asarray(price, dtype=float) / self.ref_price))

    def metric(self, price: np.ndarray, target: str, theta: float | np.ndarray | None = None) -> np.ndarray:
        margin = price if target == "revenue" else price - (self.unit_cost or 0.0)
        return margin * self.units(price, theta)


def decimals_for(currency: str) -> int:
    """Minor units of the currency (ISO 4217): KRW and JPY have none."""
    return 0 if currency in {"KRW", "JPY"} else 2


def _pct(value: float) -> float:
    return round(value * 100, 2)


def _interval(f, theta: float, sd: float) -> list[float]:
    lo, hi = f(theta - Z90 * sd), f(theta + Z90 * sd)
    return sorted([_pct(lo), _pct(hi)])


def analytic_optimum(theta: float, target: str, unit_cost: float | None) -> float:
    """The unconstrained optimum: ``0`` / ``inf`` for a corner, else the Lerner price."""
    if target == "revenue":
        return 0.0 if theta < -1 else math.inf
    if theta < -1:
        return float(unit_cost or 0.0) * theta / (1 + theta)
    return math.inf


def best_price(curve: Curve, *, target: str, low: float, high: float, digits: int) -> float:
    """The price in ``[low, high]`` maximising the expected metric (analytic, then rounded)."""
    unconstrained = analytic_optimum(curve.theta, target, curve.unit_cost)
    flat = target == "revenue" and abs(curve.theta + 1) < 1e-9  # revenue flat in the price: fewer units to ship
    candidate = high if flat else min(max(unconstrained, low), high)
    step = 10.0**-digits
    rounded = round(candidate, digits)
    if rounded < low:
        rounded += step
    if rounded > high:
        rounded -= step
    return round(rounded, digits)


def impact(curve: Curve, *, current: float, optimal: float) -> dict:
    """Percent changes from ``current`` to ``optimal`` with 90 % intervals; profit needs a unit cost above zero margin."""
    r = optimal / current
    theta, sd = curve.theta, curve.sd
    out: dict = {
        "revenue_increase": _pct(r ** (1 + theta) - 1),
        "revenue_increase_interval": _interval(lambda t: r ** (1 + t) - 1, theta, sd),
        "sales_volume_change": _pct(r**theta - 1),
        "sales_volume_change_interval": _interval(lambda t: r**t - 1, theta, sd),
        "profit_increase": None,
        "profit_increase_interval": None,
        "profit_increase_reason": None,
    }
    cost = curve.unit_cost
    if cost is None:
        out["profit_increase_reason"] = "상품 원가(unit_cost)가 없어 이익 변화를 계산하지 않았습니다"
    elif current <= cost:
        out["profit_increase_reason"] = "현재 가격이 원가 이하라 현재 이익이 0 이하여서 증가율(%)을 정의할 수 없습니다"
    else:
        m = (optimal - cost) / (current - cost)
        out["profit_increase"] = _pct(m * r**theta - 1)
        out["profit_increase_interval"] = _interval(lambda t: m * r**t - 1, theta, sd)
    return out


def confidence(curve: Curve, *, target: str, optimal: float, low: float, high: float, seed: int) -> float:
    """Posterior probability that ``optimal`` is within 1 % of the best price in ``[low, high]``,
    over draws of the elasticity from its estimate (normal, mean θ, sd). Each draw's best price
    is analytic (an end of the range for revenue, the clipped Lerner price for profit), so this
    costs O(draws), not O(draws × a price grid)."""
    if high <= low or curve.sd <= 0:
        return 1.0
    rng = np.random.default_rng(seed)
    thetas = rng.normal(curve.theta, curve.sd, DRAWS)
    elastic = thetas < -1
    if target == "revenue":
        best_price = np.where(elastic, low, high)
    else:
        cost = curve.unit_cost or 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            lerner = np.clip(cost * thetas / (1 + thetas), low, high)
        best_price = np.where(elastic, lerner, high)
    best = curve.metric(best_price, target, thetas)
    at_optimal = curve.metric(np.full(DRAWS, optimal), target, thetas)
    ok = at_optimal >= best - REGRET_TOLERANCE * np.abs(best)
    return round(float(ok.mean()), 3)


def point(curve: Curve, price: float, *, observed: tuple[float, float], digits: int) -> dict:
    """Expected units, revenue and profit per week at ``price`` with 90 % intervals (of the
    expected value: the elasticity's and the demand level's uncertainty, not week-to-week noise)."""
    log_ratio = math.log(price / curve.ref_price)
    eta = curve.base_log_units + curve.theta * log_ratio
    s = math.sqrt(curve.base_se**2 + (log_ratio * curve.sd) ** 2)
    units = math.exp(eta)
    units_iv = [math.exp(eta - Z90 * s), math.exp(eta + Z90 * s)]
    money = max(digits, 2)
    row = {
        "price": round(price, digits),
        "units": round(units, 2),
        "units_interval": [round(v, 2) for v in units_iv],
        "revenue": round(units * price, money),
        "revenue_interval": [round(v * price, money) for v in units_iv],
        "profit": None,
        "profit_interval": None,
        "extrapolated": outside(price, observed),
    }
    if curve.unit_cost is not None:
        margin = price - curve.unit_cost
        row["profit"] = round(units * margin, money)
        row["profit_interval"] = sorted(round(v * margin, money) for v in units_iv)
    return row


def outside(price: float, observed: tuple[float, float]) -> bool:
    lo, hi = observed
    return price < lo * (1 - OBSERVED_SLACK) or price > hi * (1 + OBSERVED_SLACK)
