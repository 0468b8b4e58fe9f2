"""Backtest of the elasticity estimators on the shop's own price changes (``backtest_pricing``).

Cut the history ``window_days`` before its end. For every product whose weekly price in the
window moved at least ``min_change`` away from its price in the eight weeks before the cut,
estimate the elasticity on the history before the cut only and predict the units of each
window week at the price actually charged that week. Compare with what was sold, against

- ``naive``: units stay what they were (the mean of the eight weeks before the cut).

The model's forecast is the demand level times the price effect. The level is the fitted trend
and yearly season at each window week when the history before the cut covers the same weeks a
year earlier (``seasonal_model``), else the recent level moved by the price change,
``(p / p_before) ** θ`` (``recent_level_model``): a season learnt from under a year of history
extrapolates badly. Both are reported.

The error is WAPE (Σ|forecast − actual| / Σ actual over product-weeks) and MAE per product-week.
The report also gives the distribution of elasticities estimated on the whole history, with
the naive (no controls) regression beside it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .elasticity import DEFAULT_GRANULARITY, DEFAULT_METHOD, NotEnoughData, design, fit_naive, predict_week_log_units
from .estimates import estimate_all, periods_by_product
from .history import daily_product_sales, data_as_of

PRE_WEEKS = 8
BINS = [-math.inf, -4, -3, -2.5, -2, -1.5, -1, -0.5, 0, math.inf]


def _errors(pred: np.ndarray, actual: np.ndarray) -> dict:
    total = float(actual.sum())
    err = np.abs(pred - actual)
    return {
        "wape": round(float(err.sum()) / total, 4) if total else None,
        "mae": round(float(err.mean()), 3) if len(err) else None,
        "bias_pct": round(float((pred.sum() - total) / total * 100), 2) if total else None,
    }


def _changed_products(periods: dict, *, cutoff: date, min_change: float) -> dict[int, dict]:
    out = {}
    cut = pd.Timestamp(cutoff)
    for pid, per in periods.items():
        frame = per.frame
        pre = frame[frame["start"] + pd.Timedelta(days=6) <= cut].tail(PRE_WEEKS)
        win = frame[frame["start"] > cut]
        if len(pre) < PRE_WEEKS or win.empty or pre["units"].sum() <= 0:
            continue
        pre_price = float(np.exp(np.log(pre["price"].to_numpy(dtype=float)).mean()))
        moved = np.abs(np.log(win["price"].to_numpy() / pre_price)) >= math.log1p(min_change)
        if moved.any():
            out[pid] = {"pre_price": pre_price, "pre_units": float(pre["units"].mean()), "window": win}
    return out


def elasticity_distribution(thetas: list[float]) -> dict:
    values = np.array(thetas, dtype=float)
    if not len(values):
        return {"n": 0}
    counts, _ = np.histogram(np.clip(values, -1e9, 1e9), bins=BINS)
    labels = [f"{lo}..{hi}" for lo, hi in itertools.pairwise(BINS)]
    return {
        "n": len(values),
        "mean": round(float(values.mean()), 3),
        "median": round(float(np.median(values)), 3),
        "p10": round(float(np.percentile(values, 10)), 3),
        "p90": round(float(np.percentile(values, 90)), 3),
        "share_negative": round(float((values < 0).mean()), 3),
        "share_elastic": round(float((values < -1).mean()), 3),
        "histogram": dict(zip(labels, counts.tolist(), strict=True)),
    }


def pricing_backtest(
    *,
    window_days: int = 84,
    min_change: float = 0.05,
    methods: tuple[str, ...] = ("poisson", "loglog", "dml", "naive"),
    granularity: str = DEFAULT_GRANULARITY,
    as_of: date | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> dict:
    """The report described in the module docstring (JSON-serialisable)."""
    as_of = as_of or data_as_of()
    if as_of is None:
        raise NotEnoughData("주문 이력이 없습니다", {"orders": 0})
    cutoff = as_of - timedelta(days=window_days)
    daily = daily_product_sales(until=as_of)
    if daily.empty:
        raise NotEnoughData("주문 이력이 없습니다", {"orders": 0})
    weekly = periods_by_product(daily, granularity="week", as_of=as_of)
    changed = _changed_products(weekly, cutoff=cutoff, min_change=min_change)
    before = daily[pd.to_datetime(daily["day"]) <= pd.Timestamp(cutoff)]
    report: dict = {
        "as_of": as_of.isoformat(),
        "cutoff": cutoff.isoformat(),
        "window_days": window_days,
        "min_change_pct": round(min_change * 100, 1),
        "granularity": granularity,
        "products_with_sales": len(weekly),
        "products_with_price_change": len(changed),
        "methods": {},
    }
    actual_all: dict[int, np.ndarray] = {pid: c["window"]["units"].to_numpy(dtype=float) for pid, c in changed.items()}
    for method in methods:
        run = estimate_all(method=method, granularity=granularity, as_of=cutoff, daily=before, progress=progress)
        covered = [pid for pid in changed if pid in run.estimates]
        preds, seasonal, recents, naive, actual = [], [], [], [], []
        for pid in covered:
            est, c = run.estimates[pid], changed[pid]
            prices = c["window"]["price"].to_numpy(dtype=float)
            # the recent level (last eight weeks) moved by the price change: (p / p_before) ** θ
            recent = c["pre_units"] * (prices / c["pre_price"]) ** est["theta"]
            level = predict_week_log_units(est, list(pd.to_datetime(c["window"]["start"])))
            seasonal.append(np.exp(level + est["theta"] * np.log(prices / est["ref_price"])))
            # the fitted season is trusted only where the history saw the same weeks a year before
            seen_a_year_before = est["extras"]["demand"]["span_days"] >= 365 + window_days
            preds.append(seasonal[-1] if seen_a_year_before else recent)
            recents.append(recent)
            naive.append(np.full(len(prices), c["pre_units"]))
            actual.append(actual_all[pid])
        if not covered:
            report["methods"][method] = {"products": 0}
            continue
        a = np.concatenate(actual)
        model = _errors(np.concatenate(preds), a)
        per_product_wins = sum(
            float(np.abs(p - y).sum()) < float(np.abs(n - y).sum())
            for p, n, y in zip(preds, naive, actual, strict=True)
        )
        report["methods"][method] = {
            "products": len(covered),
            "product_weeks": len(a),
            "model": model,
            "seasonal_model": _errors(np.concatenate(seasonal), a),
            "recent_level_model": _errors(np.concatenate(recents), a),
            "naive_units_stay": _errors(np.concatenate(naive), a),
            "share_products_beating_naive": round(per_product_wins / len(covered), 3),
            "elasticities_at_cutoff": elasticity_distribution([run.estimates[p]["theta"] for p in covered]),
        }
    # the distribution on the whole history, default method, beside the naive regression
    full = estimate_all(method=DEFAULT_METHOD, granularity=granularity, as_of=as_of, daily=daily, progress=progress)
    full_periods = weekly if granularity == "week" else periods_by_product(daily, granularity=granularity, as_of=as_of)
    naive_thetas = []
    for pid in full.own_fits:  # the same products, without controls
        try:
            naive_thetas.append(fit_naive(design(full_periods[pid]))[0])
        except (ValueError, np.linalg.LinAlgError):
            continue
    report["distribution"] = {
        "pooled": elasticity_distribution([e["theta"] for e in full.estimates.values()]),
        "own": elasticity_distribution([f.theta for f in full.own_fits.values()]),
        "naive_no_controls": elasticity_distribution(naive_thetas),
        "products_estimated": len(full.estimates),
        "products_skipped": len(full.skipped),
    }
    return report
