"""Estimate every product's elasticity (``estimate_price_elasticity``), store the result in the
model registry, and read one product's estimate back (stored, or fitted on demand).

One artifact ``price_elasticity`` holds all products: ``{"estimates": {product id: Estimate
dict}, "priors": {"category": {category id: Prior dict}, "shop": Prior dict}, "skipped": …}``.
Reading one product is a dict lookup in the process-wide memoised artifact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from commerce.models import Product
from ml.registry import artifact_load_latest, artifact_save

from .elasticity import (
    DEFAULT_GRANULARITY,
    DEFAULT_METHOD,
    NotEnoughData,
    OwnFit,
    Periods,
    Prior,
    build_periods,
    credible,
    estimate_product,
    fit_own,
    informs_prior,
    random_effects_prior,
    requirement_text,
)
from .history import daily_product_sales, data_as_of

logger = logging.getLogger(__name__)

ARTIFACT_NAME = "price_elasticity"
ON_DEMAND_PRIOR_PRODUCTS = 60  # a category prior fitted on demand uses at most this many products


@dataclass
class EstimationRun:
    as_of: date
    method: str
    granularity: str
    estimates: dict[int, dict] = field(default_factory=dict)
    category_priors: dict[int, dict] = field(default_factory=dict)
    shop_prior: dict | None = None
    skipped: dict[int, dict] = field(default_factory=dict)
    own_fits: dict[int, OwnFit] = field(default_factory=dict)

    def metrics(self) -> dict:
        thetas = np.array([e["theta"] for e in self.estimates.values()])
        own = np.array([f.theta for f in self.own_fits.values()])
        pooled = sum(1 for e in self.estimates.values() if e["weight_own"] < 0.999)
        out = {
            "products_estimated": len(self.estimates),
            "products_with_own_estimate": len(self.own_fits),
            "products_informing_prior": sum(1 for f in self.own_fits.values() if informs_prior(f)),
            "products_pooled": pooled,
            "products_skipped": len(self.skipped),
        }
        for name, values in (("elasticity", thetas), ("own_elasticity", own)):
            if len(values):
                out[f"{name}_mean"] = round(float(values.mean()), 3)
                out[f"{name}_median"] = round(float(np.median(values)), 3)
                out[f"{name}_p10"] = round(float(np.percentile(values, 10)), 3)
                out[f"{name}_p90"] = round(float(np.percentile(values, 90)), 3)
        if self.shop_prior:
            out["shop_prior_elasticity"] = round(self.shop_prior["theta"], 3)
            out["shop_prior_tau"] = round(self.shop_prior["tau"], 3)
        return out


def _catalog(product_ids: list[int]) -> dict[int, tuple[int, str]]:
    rows = Product.objects.filter(pk__in=product_ids).values_list("pk", "category_id", "currency")
    return {pk: (category_id, currency) for pk, category_id, currency in rows}


def periods_by_product(daily: pd.DataFrame, *, granularity: str, as_of: date) -> dict[int, Periods]:
    return {
        int(pid): build_periods(
            group[["day", "price", "units", "revenue", "lines"]], granularity=granularity, as_of=as_of
        )
        for pid, group in daily.groupby("product_id", sort=True)
    }


def estimate_all(
    *,
    method: str = DEFAULT_METHOD,
    granularity: str = DEFAULT_GRANULARITY,
    as_of: date | None = None,
    daily: pd.DataFrame | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> EstimationRun:
    """Own fits for every product with enough price variation, category (and shop-wide) priors
    from them, then each product's pooled estimate. ``daily`` (from
    :func:`ml.pricing.history.daily_product_sales`) may be passed to estimate on a cut-off history."""
    as_of = as_of or data_as_of()
    if as_of is None:
        raise NotEnoughData("주문 이력이 없습니다", {"orders": 0})
    if daily is None:
        daily = daily_product_sales(until=as_of)
    run = EstimationRun(as_of=as_of, method=method, granularity=granularity)
    if daily.empty:
        return run
    periods = periods_by_product(daily, granularity=granularity, as_of=as_of)
    catalog = _catalog(list(periods))
    for pid, per in periods.items():
        try:
            own = fit_own(per, method=method)
            if credible(own):
                run.own_fits[pid] = own
        except NotEnoughData:
            pass
        progress(1)
    by_category: dict[int, list[OwnFit]] = {}
    for pid, own in run.own_fits.items():
        if informs_prior(own):
            by_category.setdefault(catalog[pid][0], []).append(own)
    priors = {
        cid: random_effects_prior([f.theta for f in fits], [f.se for f in fits]) for cid, fits in by_category.items()
    }
    run.category_priors = {cid: asdict(p) for cid, p in priors.items() if p is not None}
    precise = [f for f in run.own_fits.values() if informs_prior(f)]
    shop = random_effects_prior([f.theta for f in precise], [f.se for f in precise])
    run.shop_prior = asdict(shop) if shop else None
    for pid, per in periods.items():
        category_id, currency = catalog[pid]
        prior, kind = (priors.get(category_id), "category") if priors.get(category_id) else (shop, "shop")
        try:
            est = estimate_product(
                product_id=pid,
                category_id=category_id,
                currency=currency,
                periods=per,
                own=run.own_fits.get(pid),
                prior=prior,
                prior_kind=kind if prior else None,
                as_of=as_of,
            )
        except NotEnoughData as exc:
            run.skipped[pid] = exc.needs
        except Exception as exc:  # noqa: BLE001 - one product's numerical failure must not stop the nightly run
            logger.warning("price elasticity for product %s failed: %s", pid, exc)
            run.skipped[pid] = {"reason": str(exc)}
        else:
            run.estimates[pid] = est.as_dict()
        progress(1)
    return run


def elasticity_train(
    *,
    method: str = DEFAULT_METHOD,
    granularity: str = DEFAULT_GRANULARITY,
    as_of: date | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> tuple[EstimationRun, int]:
    """Estimate all products and save the artifact; returns the run and the artifact id.
    Raises :class:`NotEnoughData` when no product could be estimated (nothing is saved)."""
    run = estimate_all(method=method, granularity=granularity, as_of=as_of, progress=progress)
    if not run.estimates:
        raise NotEnoughData(f"가격 탄력성을 추정할 수 있는 상품이 없습니다: {requirement_text()}", {})
    artifact = artifact_save(
        name=ARTIFACT_NAME,
        model={
            "estimates": run.estimates,
            "priors": {"category": run.category_priors, "shop": run.shop_prior},
            "skipped": run.skipped,
        },
        trained_as_of=run.as_of,
        metrics=run.metrics(),
        params={"method": method, "granularity": granularity},
    )
    return run, artifact.pk


def stored_estimates() -> tuple[dict, int | None]:
    """(the artifact's content, its id) or ({}, None) when none was trained."""
    loaded = artifact_load_latest(ARTIFACT_NAME)
    if loaded is None:
        return {}, None
    return loaded.model, loaded.artifact_id


def stored_estimate(product_id: int) -> tuple[dict | None, int | None]:
    model, artifact_id = stored_estimates()
    return (model.get("estimates", {}).get(product_id), artifact_id)


def stored_skip(product_id: int) -> dict | None:
    """What the stored run said was missing for ``product_id``, if it skipped it and no order
    has been placed since that run's history ended (otherwise a fresh fit may succeed)."""
    loaded = artifact_load_latest(ARTIFACT_NAME)
    if loaded is None:
        return None
    needs = loaded.model.get("skipped", {}).get(product_id)
    if needs is None or "min_price_levels" not in needs:
        return None
    newest = data_as_of()
    return needs if newest is not None and loaded.trained_as_of is not None and newest <= loaded.trained_as_of else None


def _prior_for(category_id: int | None, stored: dict) -> tuple[Prior | None, str | None]:
    priors = stored.get("priors") or {}
    cat = (priors.get("category") or {}).get(category_id)
    if cat:
        return Prior(**cat), "category"
    if priors.get("shop"):
        return Prior(**priors["shop"]), "shop"
    return None, None


def _fitted_category_prior(product: Product, *, method: str, granularity: str, as_of: date) -> Prior | None:
    """A category prior fitted now from the category's best-selling products (no artifact yet)."""
    from django.db.models import Count

    ids = list(
        Product.objects.filter(category_id=product.category_id)
        .exclude(pk=product.pk)
        .annotate(lines=Count("order_items"))
        .filter(lines__gt=0)
        .order_by("-lines")
        .values_list("pk", flat=True)[:ON_DEMAND_PRIOR_PRODUCTS]
    )
    if not ids:
        return None
    daily = daily_product_sales(product_ids=ids, until=as_of)
    fits = []
    for per in periods_by_product(daily, granularity=granularity, as_of=as_of).values():
        try:
            own = fit_own(per, method=method)
        except NotEnoughData:
            continue
        if informs_prior(own):
            fits.append(own)
    return random_effects_prior([f.theta for f in fits], [f.se for f in fits])


def estimate_on_demand(
    product: Product, *, method: str = DEFAULT_METHOD, granularity: str = DEFAULT_GRANULARITY
) -> dict:
    """Fit one product now (no stored estimate): its own history, pooled toward the stored
    category prior or, without an artifact, a category prior fitted now. Raises NotEnoughData."""
    as_of = data_as_of()
    if as_of is None:
        raise NotEnoughData(requirement_text(), {"periods_with_sales": 0})
    stored, _ = stored_estimates()
    prior, kind = _prior_for(product.category_id, stored)
    if prior is None:
        prior = _fitted_category_prior(product, method=method, granularity=granularity, as_of=as_of)
        kind = "category" if prior else None
    daily = daily_product_sales(product_ids=[product.pk], until=as_of)
    per = build_periods(daily[["day", "price", "units", "revenue", "lines"]], granularity=granularity, as_of=as_of)
    own: OwnFit | None = None
    own_error: NotEnoughData | None = None
    try:
        own = fit_own(per, method=method)
    except NotEnoughData as exc:
        own_error = exc
    if own is None and prior is None:
        raise own_error or NotEnoughData(requirement_text(), {})
    return estimate_product(
        product_id=product.pk,
        category_id=product.category_id,
        currency=product.currency,
        periods=per,
        own=own,
        prior=prior,
        prior_kind=kind,
        as_of=as_of,
    ).as_dict()
