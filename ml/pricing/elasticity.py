"""Own-price elasticity of demand from a product's sales history (pure numpy/statsmodels, no ORM).

The model is constant elasticity: expected units per period ``E[q_t] = exp(a + θ·log p_t + controls_t)``
with controls for a linear trend, yearly seasonality (Fourier terms, only when the history
covers enough of a year to tell season from trend) and, for daily periods, the weekday.

Three estimators of θ on the same periods (``backtest_pricing`` compares them; the default is
the one that measured best, see docs/pricing.md):

- ``poisson``: Poisson GLM (log link) with robust (sandwich) standard errors. Keeps the periods
  with zero units, which a log-log regression must drop (EconML #553: ``log 0``); robust errors
  keep the interval honest when the counts are over-dispersed.
- ``loglog``: OLS of ``log units`` on ``log price`` and the controls, periods with sales only.
- ``dml``: double machine learning (partially linear model, cross-fitted random forests for the
  nuisance functions of the controls), on the Poisson scale's working outcome ``log units``
  (periods with sales).

Prices enter as ``log(p / p_ref)`` with ``p_ref`` the median price: the elasticity does not
depend on the unit of money, and prices under 1 (EUR 0.85) give no sign trouble.

A product's own estimate is combined with its category's (random-effects meta-analysis,
DerSimonian–Laird): ``θ = w·θ_own + (1−w)·θ_category`` with ``w = τ² / (τ² + se²)``. When the
product's own price variation is thin its standard error is large and the category dominates;
with no usable variation the category estimate is used alone.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

Z90 = 1.6448536269514722  # two-sided 90 % normal quantile

METHODS = ("poisson", "loglog", "dml")
DEFAULT_METHOD = "poisson"  # measured best by backtest_pricing (docs/pricing.md)
GRANULARITIES = ("week", "day")
DEFAULT_GRANULARITY = "week"

# What a product needs for an own estimate (INSUFFICIENT_DATA names these numbers).
MIN_PERIODS_WITH_SALES = 8
MIN_PRICE_LEVELS = 2  # distinct prices, at least PRICE_LEVEL_STEP apart …
MIN_PERIODS_PER_LEVEL = 2  # … each seen in at least this many periods with sales
PRICE_LEVEL_STEP = 0.02  # 2 %
# A fit beyond ±10 diverged. The bound is symmetric on purpose: cutting off only implausible
# *positive* estimates would leave noisy products' estimates skewed negative and bias the prior.
THETA_LIMIT = 10.0
# Only estimates at least this precise inform a category's prior (noise would only widen it).
MAX_SE_FOR_PRIOR = 1.0
# An answer whose elasticity is this uncertain (90 % interval ±2.1) says nothing: INSUFFICIENT_DATA.
MAX_POSTERIOR_SD = 1.25
MIN_TAU = 0.3  # the spread of true elasticities in a category is never assumed smaller (few products estimate τ poorly)
MIN_PRODUCTS_FOR_PRIOR = 3
STOPPED_AFTER_DAYS = 56  # no sale for 8 weeks: the product stopped selling, trailing zeros say nothing about price


@dataclass
class Periods:
    """A product's sales by period: ``units``, ``price`` (average paid unit price in periods with
    sales, the prevailing one carried forward in periods without), ``start`` (period start)."""

    frame: pd.DataFrame
    granularity: str

    @property
    def with_sales(self) -> pd.DataFrame:
        return self.frame[self.frame["units"] > 0]


@dataclass
class OwnFit:
    theta: float
    se: float
    method: str
    n_periods: int
    n_with_sales: int


@dataclass
class Estimate:
    """Everything the optimiser needs for one product, JSON-serialisable (stored in the artifact)."""

    product_id: int
    category_id: int | None
    currency: str
    method: str
    granularity: str
    as_of: str
    theta: float  # pooled (posterior) elasticity
    sd: float  # its standard deviation
    own_theta: float | None
    own_se: float | None
    weight_own: float  # 1 = own data only, 0 = prior only
    prior: str | None  # "category" | "shop" | None
    prior_theta: float | None
    prior_sd: float | None
    periods: int
    periods_with_sales: int
    price_levels: int
    price_min: float
    price_max: float
    last_price: float
    ref_price: float
    base_log_units: float  # log expected units per week at ref_price, for the next week
    base_se: float
    extras: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class NotEnoughData(Exception):
    """The history cannot support an estimate; ``needs`` says what is missing (Korean)."""

    def __init__(self, message: str, needs: dict) -> None:
        super().__init__(message)
        self.needs = needs


# --- periods -----------------------------------------------------------------------------------


def _shelf_price(lines: pd.DataFrame) -> pd.Series:
    """Per day, the price most order *lines* were sold at (upper median weighted by line count):
    a coupon on one line or a bulk buyer's tier price on a big line does not move it; a
    promotion every buyer gets does."""
    f = lines.sort_values(["day", "price"], kind="stable")
    cum = f.groupby("day")["lines"].cumsum()
    half = f.groupby("day")["lines"].transform("sum") / 2
    return f[cum > half].groupby("day")["price"].first()


def _nearest_fill(values: pd.Series) -> pd.Series:
    """Fill the gaps of a price series with the nearest known value (ties: the earlier one)."""
    known = values.notna().to_numpy()
    if known.sum() >= 2 and not known.all():
        filled = values.reset_index(drop=True).interpolate(method="nearest").to_numpy()
        values = pd.Series(filled, index=values.index)
    return values.ffill().bfill()


def build_periods(lines: pd.DataFrame, *, granularity: str, as_of: date) -> Periods:
    """``lines``: units sold per local ``day`` (``units``, ``revenue``; several rows per day allowed).
    Periods run from the first sale to ``as_of`` (or to the last sale if the product stopped
    selling); a week is Monday–Sunday and only full weeks count.

    A period's price is the *time* average of the daily price, and a day's price is the shelf
    price: the price most order lines were sold at (``_shelf_price``; the average paid when line
    counts are not given). A day without sales shows no price: it takes the nearest day's
    with sales (the change happened somewhere in the gap). Two traps avoided here, both of which
    bend the elasticity toward zero: carrying the last price forward puts the quiet days after
    a price rise at the old, lower price; and a units-weighted weekly price lets the demand
    response itself pull a week with a few promotion days toward the promotion price.
    """
    empty = pd.DataFrame(columns=["start", "units", "revenue", "price"])
    if lines.empty:
        return Periods(empty, granularity)
    lines = lines.copy()
    lines["day"] = pd.to_datetime(lines["day"])
    daily = lines.groupby("day")[["units", "revenue"]].sum()
    first, last = daily.index.min(), daily.index.max()
    end = pd.Timestamp(as_of)
    if (end - last).days > STOPPED_AFTER_DAYS:
        end = last
    days = daily.reindex(pd.date_range(first, max(first, end), freq="D"), fill_value=0.0)
    if "lines" in lines:  # order lines counted: the shelf price; else the average paid
        shelf = _shelf_price(lines[lines["units"] > 0])
        days["price"] = _nearest_fill(shelf.reindex(days.index))
    else:
        days["price"] = _nearest_fill((days["revenue"] / days["units"]).where(days["units"] > 0))
    if granularity == "week":
        start = first - pd.Timedelta(days=first.day_of_week)  # the Monday of the first week
        if start < first:
            start += pd.Timedelta(days=7)  # a partial first week would undercount
        stop = end - pd.Timedelta(days=(end.day_of_week + 1) % 7)  # the last full Sunday
        days = days[(days.index >= start) & (days.index <= stop)]
        if days.empty:
            return Periods(empty, granularity)
        monday = days.index - pd.to_timedelta(days.index.day_of_week, unit="D")
        frame = days.groupby(monday).agg(units=("units", "sum"), revenue=("revenue", "sum"), price=("price", "mean"))
    elif granularity == "day":
        frame = days
    else:  # pragma: no cover - validated by callers
        raise ValueError(granularity)
    frame = frame.rename_axis("start").reset_index()
    return Periods(frame[["start", "units", "revenue", "price"]], granularity)


def price_levels(periods: Periods) -> int:
    """Distinct prices at least 2 % apart, each seen in ``MIN_PERIODS_PER_LEVEL`` periods with sales.
    Levels are formed by walking the sorted prices and starting a new level 2 % above the current
    one's lowest price (fixed rounding buckets would split two near-equal prices at a bucket edge)."""
    sold = periods.with_sales
    if sold.empty:
        return 0
    levels, start, count = 0, None, 0
    for price in np.sort(sold["price"].to_numpy()):
        if start is None or price >= start * (1 + PRICE_LEVEL_STEP):
            levels += int(count >= MIN_PERIODS_PER_LEVEL)
            start, count = price, 0
        count += 1
    return levels + int(count >= MIN_PERIODS_PER_LEVEL)


def requirement_text() -> str:
    return (
        f"가격이 {PRICE_LEVEL_STEP:.0%} 이상 다른 가격 {MIN_PRICE_LEVELS}개 이상이 각각 "
        f"{MIN_PERIODS_PER_LEVEL}주 이상 판매되고, 판매가 있는 주가 {MIN_PERIODS_WITH_SALES}주 이상이어야 합니다"
    )


def needs_of(periods: Periods) -> dict:
    """What an own estimate needs and what the history has (INSUFFICIENT_DATA details)."""
    return {
        "min_periods_with_sales": MIN_PERIODS_WITH_SALES,
        "periods_with_sales": len(periods.with_sales),
        "min_price_levels": MIN_PRICE_LEVELS,
        "price_levels": price_levels(periods),
        "min_periods_per_price_level": MIN_PERIODS_PER_LEVEL,
        "price_level_step_pct": round(PRICE_LEVEL_STEP * 100, 1),
        "granularity": periods.granularity,
    }


def check_enough(periods: Periods) -> int:
    """Raise :class:`NotEnoughData` unless the periods support an own estimate; return the number of price levels."""
    with_sales = len(periods.with_sales)
    levels = price_levels(periods)
    needs = needs_of(periods)
    if with_sales < MIN_PERIODS_WITH_SALES or levels < MIN_PRICE_LEVELS:
        raise NotEnoughData(requirement_text(), needs)
    return levels


# --- design matrix ------------------------------------------------------------------------------


def controls(starts: pd.Series, *, granularity: str, origin: pd.Timestamp, span_days: int) -> pd.DataFrame:
    """Trend, yearly seasonality and (daily periods) weekday dummies for period ``starts``."""
    starts = pd.to_datetime(starts)
    years = (starts - origin).dt.days.to_numpy() / 365.25
    x = pd.DataFrame({"trend": years}, index=starts.index)
    harmonics = 2 if span_days >= 700 else 1 if span_days >= 270 else 0
    day_of_year = starts.dt.day_of_year.to_numpy() / 365.25
    for k in range(1, harmonics + 1):
        x[f"sin{k}"] = np.sin(2 * np.pi * k * day_of_year)
        x[f"cos{k}"] = np.cos(2 * np.pi * k * day_of_year)
    if granularity == "day":
        weekday = starts.dt.day_of_week.to_numpy()
        for d in range(1, 7):
            x[f"wd{d}"] = (weekday == d).astype(float)
    return x


@dataclass
class Design:
    y: np.ndarray
    logp: np.ndarray
    x: pd.DataFrame
    ref_price: float
    origin: pd.Timestamp
    span_days: int


def design(periods: Periods) -> Design:
    frame = periods.frame
    ref = float(np.median(periods.with_sales["price"])) if len(periods.with_sales) else float(frame["price"].median())
    origin = pd.Timestamp(frame["start"].iloc[0])
    span = int((pd.Timestamp(frame["start"].iloc[-1]) - origin).days) + (7 if periods.granularity == "week" else 1)
    x = controls(frame["start"], granularity=periods.granularity, origin=origin, span_days=span)
    return Design(
        y=frame["units"].to_numpy(dtype=float),
        logp=np.log(frame["price"].to_numpy(dtype=float) / ref),
        x=x,
        ref_price=ref,
        origin=origin,
        span_days=span,
    )


def _with_const(x: pd.DataFrame) -> np.ndarray:
    return np.column_stack([np.ones(len(x)), x.to_numpy(dtype=float)])


# --- estimators -------------------------------------------------------------------------------


def fit_poisson(d: Design) -> tuple[float, float]:
    import statsmodels.api as sm

    exog = np.column_stack([d.logp, _with_const(d.x)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(d.y, exog, family=sm.families.Poisson()).fit(cov_type="HC0", maxiter=100)
    return float(result.params[0]), float(result.bse[0])


def fit_loglog(d: Design) -> tuple[float, float]:
    import statsmodels.api as sm

    keep = d.y > 0
    exog = np.column_stack([d.logp[keep], _with_const(d.x[keep])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.OLS(np.log(d.y[keep]), exog).fit(cov_type="HC1")
    return float(result.params[0]), float(result.bse[0])


def fit_dml(d: Design, *, folds: int = 5, seed: int = 0) -> tuple[float, float]:
    """Partialling-out DML: residualise log units and log price on the controls with cross-fitted
    random forests, then regress residual on residual (Chernozhukov et al. 2018)."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import KFold

    keep = d.y > 0
    y = np.log(d.y[keep])
    t = d.logp[keep]
    x = d.x[keep].to_numpy(dtype=float)
    n = len(y)
    folds = max(2, min(folds, n // 4))
    y_res, t_res = np.zeros(n), np.zeros(n)
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(x):
        for target, out in ((y, y_res), (t, t_res)):
            model = RandomForestRegressor(n_estimators=60, min_samples_leaf=5, random_state=seed, n_jobs=1)
            model.fit(x[train], target[train])
            out[test] = target[test] - model.predict(x[test])
    denom = float(np.sum(t_res**2))
    if denom <= 1e-12:
        raise FloatingPointError("no price variation left after the controls")
    theta = float(np.sum(t_res * y_res) / denom)
    psi = (y_res - theta * t_res) * t_res
    se = float(math.sqrt(np.sum(psi**2)) / denom)
    return theta, se


def fit_naive(d: Design) -> tuple[float, float]:
    """log units on log price and nothing else: the textbook regression without controls, kept as
    the yardstick (``backtest_pricing``); seasonal pricing and trends pull it toward zero."""
    import statsmodels.api as sm

    keep = d.y > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.OLS(np.log(d.y[keep]), sm.add_constant(d.logp[keep])).fit(cov_type="HC1")
    return float(result.params[1]), float(result.bse[1])


FITTERS = {"poisson": fit_poisson, "loglog": fit_loglog, "dml": fit_dml, "naive": fit_naive}


def fit_own(periods: Periods, *, method: str = DEFAULT_METHOD) -> OwnFit:
    """The product's own elasticity and standard error; raises :class:`NotEnoughData`."""
    check_enough(periods)
    d = design(periods)
    if float(np.std(d.logp[d.y > 0])) < 1e-3:
        raise NotEnoughData(requirement_text(), needs_of(periods))
    try:
        theta, se = FITTERS[method](d)
    except (np.linalg.LinAlgError, FloatingPointError, ValueError) as exc:
        raise NotEnoughData(f"추정에 실패했습니다: {exc}", {"reason": str(exc)}) from exc
    if not (math.isfinite(theta) and math.isfinite(se)) or se <= 0:
        raise NotEnoughData("추정값이 유한하지 않습니다", {"reason": "non-finite estimate"})
    return OwnFit(theta=theta, se=se, method=method, n_periods=len(d.y), n_with_sales=int((d.y > 0).sum()))


# --- partial pooling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    theta: float
    se: float  # standard error of the category mean
    tau: float  # spread of true elasticities between the category's products
    products: int

    @property
    def sd(self) -> float:
        """How far one product's elasticity may sit from the category's (predictive sd)."""
        return math.sqrt(self.tau**2 + self.se**2)


def random_effects_prior(thetas: list[float], ses: list[float]) -> Prior | None:
    """DerSimonian–Laird random-effects mean and between-product spread τ (floored at ``MIN_TAU``)."""
    usable = [(t, s) for t, s in zip(thetas, ses, strict=True) if math.isfinite(t) and math.isfinite(s) and s > 0]
    if len(usable) < MIN_PRODUCTS_FOR_PRIOR:
        return None
    t = np.array([u[0] for u in usable])
    s2 = np.array([u[1] for u in usable]) ** 2
    w = 1 / s2
    mean_fe = float(np.sum(w * t) / np.sum(w))
    q = float(np.sum(w * (t - mean_fe) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(MIN_TAU**2, (q - (len(t) - 1)) / c if c > 0 else 0.0)
    w_re = 1 / (s2 + tau2)
    mean = float(np.sum(w_re * t) / np.sum(w_re))
    se = float(math.sqrt(1 / np.sum(w_re)))
    return Prior(theta=mean, se=se, tau=float(math.sqrt(tau2)), products=len(t))


def shrink(own: OwnFit | None, prior: Prior | None) -> tuple[float, float, float]:
    """(θ, sd, weight of the own estimate) — the normal–normal posterior."""
    if own is None and prior is None:
        raise NotEnoughData(requirement_text(), {})
    if prior is None:
        return own.theta, own.se, 1.0  # type: ignore[union-attr]
    if own is None:
        return prior.theta, prior.sd, 0.0
    v_own, v_prior = own.se**2, prior.sd**2
    weight = v_prior / (v_prior + v_own)
    theta = weight * own.theta + (1 - weight) * prior.theta
    sd = math.sqrt(1 / (1 / v_own + 1 / v_prior))
    return theta, sd, weight


def credible(own: OwnFit) -> bool:
    return math.isfinite(own.theta) and abs(own.theta) <= THETA_LIMIT


def informs_prior(own: OwnFit) -> bool:
    return credible(own) and own.se <= MAX_SE_FOR_PRIOR


# --- baseline demand ----------------------------------------------------------------------------


def baseline(periods: Periods, theta: float) -> tuple[float, float, float, dict]:
    """(log expected units per *week* at the reference price in the period after the history,
    its standard error, reference price). The elasticity is fixed (an offset), so the level and
    the controls are fitted given the pooled θ."""
    import statsmodels.api as sm

    d = design(periods)
    exog = _with_const(d.x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(d.y, exog, family=sm.families.Poisson(), offset=theta * d.logp).fit(cov_type="HC0", maxiter=100)
    last = pd.Timestamp(periods.frame["start"].iloc[-1])
    step = timedelta(days=7 if periods.granularity == "week" else 1)
    if periods.granularity == "week":
        nxt = pd.Series([last + step])
        x_next = controls(nxt, granularity="week", origin=d.origin, span_days=d.span_days)
        rows = _with_const(x_next)
    else:  # the seven days after the history: a week's worth
        nxt = pd.Series([last + step * (i + 1) for i in range(7)])
        x_next = controls(nxt, granularity="day", origin=d.origin, span_days=d.span_days)
        rows = _with_const(x_next)
    eta = rows @ result.params
    cov = result.cov_params()
    if periods.granularity == "week":
        log_units = float(eta[0])
        se = float(math.sqrt(max(0.0, rows[0] @ cov @ rows[0])))
    else:
        mu = np.exp(eta)
        log_units = float(np.log(mu.sum()))
        grad = (mu[:, None] * rows).sum(axis=0) / mu.sum()  # d log Σμ / dβ
        se = float(math.sqrt(max(0.0, grad @ cov @ grad)))
    demand = {"beta": [float(b) for b in result.params], "origin": d.origin.isoformat(), "span_days": d.span_days}
    return log_units, se, d.ref_price, demand


def predict_week_log_units(est: dict, week_starts: list[pd.Timestamp]) -> np.ndarray:
    """log expected units of each week (Monday starts) at the reference price, from the stored
    demand model (trend and season at *that* week, not the week after the history)."""
    demand = est["extras"]["demand"]
    beta = np.array(demand["beta"])
    origin = pd.Timestamp(demand["origin"])
    if est["granularity"] == "week":
        x = controls(pd.Series(week_starts), granularity="week", origin=origin, span_days=demand["span_days"])
        return _with_const(x) @ beta
    out = []
    for start in week_starts:  # daily model: a week is the sum of its seven days
        days = pd.Series([start + pd.Timedelta(days=i) for i in range(7)])
        x = controls(days, granularity="day", origin=origin, span_days=demand["span_days"])
        out.append(float(np.log(np.exp(_with_const(x) @ beta).sum())))
    return np.array(out)


def estimate_product(
    *,
    product_id: int,
    category_id: int | None,
    currency: str,
    periods: Periods,
    own: OwnFit | None,
    prior: Prior | None,
    prior_kind: str | None,
    as_of: date,
) -> Estimate:
    """Combine the own fit (may be ``None``) and the prior into the stored estimate."""
    if own is not None and not credible(own):
        own = None
    if len(periods.with_sales) < MIN_PERIODS_WITH_SALES:
        raise NotEnoughData(requirement_text(), needs_of(periods))
    theta, sd, weight = shrink(own, prior)
    if sd > MAX_POSTERIOR_SD:
        needs = needs_of(periods) | {"elasticity_sd": round(sd, 2), "max_elasticity_sd": MAX_POSTERIOR_SD}
        raise NotEnoughData(
            f"가격 변화가 작아 탄력성을 측정할 수 없습니다(표준편차 {sd:.2f}): {requirement_text()}", needs
        )
    log_units, base_se, ref, demand = baseline(periods, theta)
    sold = periods.with_sales
    return Estimate(
        product_id=product_id,
        category_id=category_id,
        currency=currency,
        method=own.method if own else "prior",
        granularity=periods.granularity,
        as_of=as_of.isoformat(),
        theta=theta,
        sd=sd,
        own_theta=own.theta if own else None,
        own_se=own.se if own else None,
        weight_own=weight,
        prior=prior_kind if prior is not None else None,
        prior_theta=prior.theta if prior else None,
        prior_sd=prior.sd if prior else None,
        periods=len(periods.frame),
        periods_with_sales=len(sold),
        price_levels=price_levels(periods),
        price_min=float(sold["price"].min()),
        price_max=float(sold["price"].max()),
        last_price=float(sold["price"].iloc[-1]),
        ref_price=ref,
        base_log_units=log_units,
        base_se=base_se,
        extras={"demand": demand},
    )
