from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.forecasting import backtest, error_metrics, ets_forecast, seasonal_naive


def weekly_series(days: int = 84, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2026-06-01", periods=days, freq="D")
    weekend = (index.day_of_week >= 5).astype(float)
    values = 1000 + 4 * np.arange(days) + 400 * weekend + rng.normal(0, 40, days)
    return pd.Series(values, index=index)


def test_error_metrics_exact():
    m = error_metrics(np.array([100.0, 0.0, 50.0]), np.array([110.0, 0.0, 25.0]))
    assert m.mae == pytest.approx((10 + 0 + 25) / 3)
    assert m.mape == pytest.approx((0.10 + 0.50) / 2 * 100)  # the zero-actual day is left out
    assert m.smape == pytest.approx((10 / 210 + 0 + 25 / 75) / 3 * 100)


def test_seasonal_naive_repeats_last_week():
    y = pd.Series(np.arange(14, dtype=float), index=pd.date_range("2026-01-01", periods=14, freq="D"))
    assert seasonal_naive(y, 10).tolist() == [7, 8, 9, 10, 11, 12, 13, 7, 8, 9]


def test_forecast_intervals_are_ordered_non_negative_and_deterministic():
    y = weekly_series()
    first = ets_forecast(y, 30)
    again = ets_forecast(y, 30)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.index) == list(pd.date_range("2026-08-24", periods=30, freq="D"))
    assert (first["lower"] >= 0).all()
    assert (first["lower"] <= first["mean"]).all() and (first["mean"] <= first["upper"]).all()
    # the model-based interval widens with the horizon (not a constant ±1.96·std band)
    width = first["upper"] - first["lower"]
    assert width.iloc[-1] > width.iloc[0]
    # the weekly pattern is carried into the forecast
    weekend = first.index.day_of_week >= 5
    assert first["mean"][weekend].mean() > first["mean"][~weekend].mean() + 250


def test_forecast_clips_at_zero_for_sparse_sales():
    y = pd.Series([0, 0, 0, 0, 0, 30, 0] * 3, index=pd.date_range("2026-01-01", periods=21, freq="D"), dtype=float)
    out = ets_forecast(y, 14)
    assert (out >= 0).all().all()
    assert (out["lower"] <= out["mean"]).all() and (out["mean"] <= out["upper"]).all()


def test_too_short_history_is_refused():
    with pytest.raises(ValueError, match="at least 14"):
        ets_forecast(weekly_series(13), 7)


def test_backtest_beats_seasonal_naive_on_trend_and_seasonality():
    result = backtest(weekly_series(), weeks=4)
    assert result["weeks"] == 4 and result["days"] == 28
    assert result["model"]["smape"] < result["seasonal_naive"]["smape"]
    assert result["beats_baseline"] is True
    assert result["accuracy"] == pytest.approx(1 - result["model"]["smape"] / 100, abs=1e-4)
    assert backtest(weekly_series(20), weeks=4) is None
    assert backtest(weekly_series(30), weeks=4)["weeks"] == 2  # (30 − 14) // 7
