"""Price elasticity estimation (ml.pricing.elasticity / estimates) on simulated demand with a known
elasticity, written as real orders: recovery within a stated tolerance, interval coverage,
zero weeks, prices under 1, partial pooling, INSUFFICIENT_DATA, the stored artifact."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from commerce.testing.factories import CategoryFactory, ProductFactory
from ml.models import ModelArtifact
from ml.pricing.elasticity import (
    MIN_PERIODS_WITH_SALES,
    Z90,
    NotEnoughData,
    build_periods,
    fit_own,
    random_effects_prior,
    shrink,
)
from ml.pricing.estimates import ARTIFACT_NAME, estimate_on_demand, stored_estimate
from ml.pricing.history import daily_product_sales
from ml.tests.pricing_data import END, category_with_products, simulate_sales

# Stated tolerance: 540 days at ~40 units a week, prices over ±20 %: |θ̂ − θ| ≤ 0.35.
TOLERANCE = 0.35


def _lines(theta: float, *, seed: int, days: int = 540, base_per_week: float = 40.0, p0: float = 10.0) -> pd.DataFrame:
    """The same demand as ``simulate_sales`` without the database (for many replications)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(end=pd.Timestamp(END), periods=days, freq="D")
    mult = np.repeat(rng.choice([0.8, 0.9, 1.0, 1.1, 1.2], days // 42 + 1), 42)[:days]
    mult = np.where(rng.random(days) < 0.06, mult * 0.85, mult)
    prices = np.round(p0 * mult, 2)
    season = 1 + 0.25 * np.sin(2 * np.pi * dates.day_of_year.to_numpy() / 365.25)
    lam = base_per_week / 7 * season * (1 + 0.3 * np.arange(days) / days) * (prices / p0) ** theta
    units = rng.negative_binomial(8, 8 / (8 + lam)).astype(float)
    frame = pd.DataFrame({"day": dates, "price": prices, "units": units, "revenue": units * prices})
    return frame[frame["units"] > 0]


@pytest.mark.parametrize("theta", [-0.6, -1.8, -3.0])
@pytest.mark.django_db
def test_recovers_a_known_elasticity_from_orders(theta):
    product = ProductFactory(price=Decimal("10000"))
    simulate_sales(product=product, theta=theta, seed=11)
    per = build_periods(daily_product_sales(product_ids=[product.pk]), granularity="week", as_of=END)
    fit = fit_own(per)
    assert abs(fit.theta - theta) <= TOLERANCE, fit
    assert fit.theta - Z90 * fit.se <= theta <= fit.theta + Z90 * fit.se, fit  # the 90 % interval covers it


@pytest.mark.parametrize("method", ["poisson", "loglog"])
def test_interval_coverage_over_many_simulations(method):
    """90 % intervals cover the true elasticity in 80–98 % of 40 simulated products, with little bias."""
    theta = -1.8
    fits = [
        fit_own(build_periods(_lines(theta, seed=s), granularity="week", as_of=END), method=method) for s in range(40)
    ]
    covered = np.mean([abs(f.theta - theta) <= Z90 * f.se for f in fits])
    bias = np.mean([f.theta for f in fits]) - theta
    assert 0.8 <= covered <= 0.98, covered
    assert abs(bias) <= 0.15, bias


def test_daily_periods_with_weekday_controls_recover_it_too():
    fit = fit_own(build_periods(_lines(-1.8, seed=3), granularity="day", as_of=END))
    assert abs(fit.theta + 1.8) <= TOLERANCE


def test_thin_sales_with_zero_weeks_and_prices_under_one():
    """~3 units a week (a third of the weeks sell nothing) at EUR 0.68–1.02: the Poisson fit keeps
    the zero weeks and the log of prices under 1 is no trouble (prices enter relative to the median)."""
    lines = _lines(-1.8, seed=5, base_per_week=2.5, p0=0.85, days=720)
    per = build_periods(lines, granularity="week", as_of=END)
    assert (per.frame["units"] == 0).mean() > 0.05
    assert per.frame["price"].max() < 1.1
    fit = fit_own(per)
    assert math.isfinite(fit.theta) and fit.se > 0
    assert fit.theta - Z90 * fit.se <= -1.8 <= fit.theta + Z90 * fit.se


def test_a_quiet_week_after_a_price_rise_takes_the_nearest_price_not_the_old_one():
    days = pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-13", "2026-01-14", "2026-01-25", "2026-01-26"])
    lines = pd.DataFrame({"day": days, "price": [10.0, 10.0, 10.0, 10.0, 12.0, 12.0], "units": [5.0] * 6})
    lines["revenue"] = lines["price"] * lines["units"]
    per = build_periods(lines, granularity="day", as_of=dt.date(2026, 1, 26))
    by_day = per.frame.set_index("start")["price"]
    assert by_day[pd.Timestamp("2026-01-16")] == 10.0  # nearer the last sale at 10
    assert by_day[pd.Timestamp("2026-01-22")] == 12.0  # nearer the first sale at 12


def test_one_price_only_is_not_enough_and_says_what_is_needed():
    lines = _lines(-1.8, seed=1)
    lines["price"] = 10.0
    lines["revenue"] = lines["units"] * 10.0
    with pytest.raises(NotEnoughData) as exc:
        fit_own(build_periods(lines, granularity="week", as_of=END))
    assert exc.value.needs["price_levels"] == 1
    assert exc.value.needs["min_price_levels"] == 2
    assert exc.value.needs["min_periods_with_sales"] == MIN_PERIODS_WITH_SALES
    assert "2개 이상" in str(exc.value)


def test_partial_pooling_moves_a_noisy_estimate_toward_the_category():
    prior = random_effects_prior([-1.0, -1.5, -2.0, -1.5], [0.1, 0.1, 0.1, 0.1])
    assert prior is not None and prior.theta == pytest.approx(-1.5)
    from ml.pricing.elasticity import OwnFit

    precise = OwnFit(theta=-3.0, se=0.05, method="poisson", n_periods=80, n_with_sales=80)
    noisy = OwnFit(theta=-3.0, se=2.0, method="poisson", n_periods=80, n_with_sales=80)
    t_precise, _sd, w_precise = shrink(precise, prior)
    t_noisy, sd_noisy, w_noisy = shrink(noisy, prior)
    assert w_precise > 0.9 and t_precise < -2.8  # plenty of own variation: its own estimate
    assert w_noisy < 0.1 and -1.8 < t_noisy < -1.4  # thin: close to the category
    assert sd_noisy < noisy.se
    t_none, sd_none, w_none = shrink(None, prior)
    assert (t_none, w_none) == (prior.theta, 0.0) and sd_none == pytest.approx(prior.sd)


@pytest.mark.django_db
def test_estimate_command_stores_every_product_with_pooling_and_the_thin_one_borrows():
    products = category_with_products(thetas=[-1.8, -1.2, -2.5, -0.8], seed=20)
    single = ProductFactory(category=products[0].category, price=Decimal("10000"))
    simulate_sales(product=single, theta=-1.5, seed=99, levels=(1.0,), promo_share=0.0)  # one price only
    out = StringIO()
    call_command("estimate_price_elasticity", stdout=out, stderr=StringIO())
    assert "추정 5개" in out.getvalue() and "저장됨: price_elasticity" in out.getvalue()
    artifact = ModelArtifact.objects.get(name=ARTIFACT_NAME)
    assert artifact.metrics["products_estimated"] == 5
    assert artifact.metrics["products_with_own_estimate"] == 4
    assert artifact.params == {"method": "poisson", "granularity": "week"}
    for product, theta in zip(products, [-1.8, -1.2, -2.5, -0.8], strict=True):
        est, _ = stored_estimate(product.pk)
        assert abs(est["own_theta"] - theta) <= TOLERANCE
        assert est["prior"] == "category" and 0 < est["weight_own"] < 1
    thin, _ = stored_estimate(single.pk)
    assert thin["own_theta"] is None and thin["weight_own"] == 0.0
    assert thin["theta"] == pytest.approx(thin["prior_theta"])
    assert thin["currency"] == "KRW" and thin["price_min"] == thin["price_max"] == 10000.0


@pytest.mark.django_db
def test_estimate_command_without_orders_fails_and_saves_nothing():
    with pytest.raises(CommandError, match="주문 이력이 없습니다"):
        call_command("estimate_price_elasticity", stdout=StringIO(), stderr=StringIO())
    assert ModelArtifact.objects.count() == 0


@pytest.mark.django_db
def test_on_demand_fit_without_an_artifact_borrows_from_the_category():
    products = category_with_products(thetas=[-1.8, -1.2, -2.5, -0.8], seed=30)
    est = estimate_on_demand(products[0])
    assert est["prior"] == "category" and est["own_theta"] is not None
    assert abs(est["theta"] + 1.8) <= TOLERANCE
    assert ModelArtifact.objects.count() == 0  # a read: nothing stored


@pytest.mark.django_db
def test_orders_in_another_currency_and_cancelled_orders_do_not_count():
    from commerce.models import Order, OrderStatus

    product = ProductFactory(price=Decimal("10000"))
    simulate_sales(product=product, theta=-1.8, seed=4, days=120)
    before = daily_product_sales(product_ids=[product.pk])
    Order.objects.filter(items__product=product, created_at__date__lt=dt.date(2026, 9, 1)).update(
        status=OrderStatus.CANCELLED
    )
    after_cancel = daily_product_sales(product_ids=[product.pk])
    assert 0 < after_cancel["units"].sum() < before["units"].sum()
    Order.objects.filter(items__product=product).update(currency="USD")
    assert daily_product_sales(product_ids=[product.pk]).empty


@pytest.mark.django_db
def test_train_models_runs_the_estimate_and_if_missing_skips_it():
    category_with_products(thetas=[-1.8, -1.2, -2.5], seed=40)
    out = StringIO()
    call_command("train_models", stdout=out, stderr=StringIO())
    assert "== estimate_price_elasticity" in out.getvalue()
    assert ModelArtifact.objects.filter(name=ARTIFACT_NAME).count() == 1
    out = StringIO()
    call_command("train_models", "--if-missing", stdout=out, stderr=StringIO())
    assert "price_elasticity: 이미 학습됨, 건너뜀" in out.getvalue()
    assert ModelArtifact.objects.filter(name=ARTIFACT_NAME).count() == 1


@pytest.mark.django_db
def test_nightly_task_saves_an_artifact(settings):
    from ml.tasks import estimate_price_elasticity

    assert settings.CELERY_BEAT_SCHEDULE["price-elasticity-nightly"]["task"] == "ml.estimate_price_elasticity"
    category_with_products(thetas=[-1.8, -1.2, -2.5], seed=50)
    artifact_id = estimate_price_elasticity()
    assert ModelArtifact.objects.get(pk=artifact_id).name == ARTIFACT_NAME


@pytest.mark.django_db
def test_backtest_predicts_units_after_a_price_change_better_than_units_stay_the_same():
    category = CategoryFactory(name="백테스트")
    for i, theta in enumerate([-1.8, -2.2, -1.4, -2.6]):
        product = ProductFactory(category=category, price=Decimal("10000"))
        simulate_sales(
            product=product, theta=theta, seed=60 + i, base_per_week=60, levels=(0.8, 1.0, 1.25), block_weeks=8
        )
    out = StringIO()
    call_command("backtest_pricing", "--methods", "poisson,naive", "--window-days", "56", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "가격이 5.0% 이상 바뀐 상품" in text
    from ml.pricing.backtest import pricing_backtest

    report = pricing_backtest(window_days=56, methods=("poisson",))
    r = report["methods"]["poisson"]
    assert report["products_with_price_change"] >= 1 and r["products"] == report["products_with_price_change"]
    assert r["model"]["wape"] < r["naive_units_stay"]["wape"]
    assert report["distribution"]["own"]["n"] == 4
    assert -2.6 <= report["distribution"]["own"]["mean"] <= -1.4
