"""``POST /api/v1/ml/pricing/optimize`` (seed 000 §4.1): the read model behind the endpoint.

Reads only: the product, its stored elasticity estimate (or one fitted on demand and cached
for an hour under the ``shop`` scope, which every shop write invalidates) and the optimiser.
"""

from __future__ import annotations

from decimal import Decimal

from commerce.errors import CommerceError
from commerce.models import Product
from core.cache import cached_result
from core.errors import InsufficientData, NotFoundError, ValidationFailed

from .elasticity import Z90, NotEnoughData, requirement_text
from .estimates import estimate_on_demand, stored_estimate, stored_skip
from .optimizer import Curve, analytic_optimum, best_price, confidence, decimals_for, impact, outside, point

ON_DEMAND_TTL = 3600
TARGETS = ("revenue", "profit")


def _pooling_text(est: dict) -> str | None:
    if est["prior"] is None:
        return None
    name = "카테고리" if est["prior"] == "category" else "쇼핑몰 전체"
    if est["own_theta"] is None:
        return f"이 상품의 가격 변화가 부족해 {name} 탄력성({est['prior_theta']:.2f})을 그대로 사용했습니다"
    if est["weight_own"] >= 0.95:
        return None
    return (
        f"이 상품의 가격 변화가 적어 {name} 탄력성({est['prior_theta']:.2f}) 쪽으로 보정했습니다 "
        f"(자체 추정 {est['own_theta']:.2f}, 자체 비중 {est['weight_own']:.0%})"
    )


def product_estimate(product: Product) -> tuple[dict, str]:
    """(estimate dict, "stored" | "on_demand"). Raises InsufficientData."""
    est, _artifact = stored_estimate(product.pk)
    if est is not None and est["currency"] == product.currency:
        return est, "stored"
    skipped = stored_skip(product.pk)
    if skipped is not None:  # the nightly run found too little data and no order came since: say so without refitting
        raise InsufficientData(
            message=f"가격 탄력성을 추정할 데이터가 부족합니다: {requirement_text()}",
            details={"product_id": product.pk, **skipped},
        )
    try:
        est, _hit = cached_result(
            "pricing-estimate",
            scopes=("shop",),
            params={"product": product.pk, "currency": product.currency},
            ttl=ON_DEMAND_TTL,
            compute=lambda: estimate_on_demand(product),
        )
    except NotEnoughData as exc:
        raise InsufficientData(
            message=f"가격 탄력성을 추정할 데이터가 부족합니다: {exc}", details={"product_id": product.pk, **exc.needs}
        ) from exc
    return est, "on_demand"


def price_optimize(
    *,
    product_id: int,
    current_price: Decimal | None = None,
    target_metric: str = "revenue",
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    unit_cost: Decimal | None = None,
    allow_extrapolation: bool = False,
    simulate: list[Decimal] | None = None,
) -> dict:
    """The price maximising ``target_metric`` within the constraints and (unless
    ``allow_extrapolation``) the observed price range, with the seed's ``predicted_impact``
    (percent, 90 % intervals), the elasticity, a confidence and an optional what-if curve."""
    product = Product.objects.filter(pk=product_id).only("pk", "price", "currency", "unit_cost", "category_id").first()
    if product is None:
        raise NotFoundError(CommerceError.PRODUCT_NOT_FOUND)
    cost = unit_cost if unit_cost is not None else product.unit_cost
    if target_metric == "profit" and cost is None:
        raise ValidationFailed(
            message="상품 원가(unit_cost)가 없어 이익 기준으로 최적화할 수 없습니다. 관리자 화면에서 원가를 입력하거나 요청에 unit_cost 를 주세요",
            details={"fields": {"unit_cost": ["이익 기준 최적화에는 원가가 필요합니다"]}},
        )
    current = float(current_price if current_price is not None else product.price)
    if current <= 0:
        raise ValidationFailed(
            message="현재 가격이 0 이하입니다", details={"fields": {"current_price": ["0보다 커야 합니다"]}}
        )
    est, source = product_estimate(product)
    digits = decimals_for(product.currency)
    observed = (est["price_min"], est["price_max"])
    curve = Curve(
        theta=est["theta"],
        sd=est["sd"],
        base_log_units=est["base_log_units"],
        base_se=est["base_se"],
        ref_price=est["ref_price"],
        unit_cost=float(cost) if cost is not None else None,
    )

    c_low = float(min_price) if min_price is not None else None
    c_high = float(max_price) if max_price is not None else None
    notes: list[str] = []
    if allow_extrapolation:
        low = c_low if c_low is not None else observed[0]
        high = c_high if c_high is not None else observed[1]
    else:
        low = max(c_low, observed[0]) if c_low is not None else observed[0]
        high = min(c_high, observed[1]) if c_high is not None else observed[1]
        if low > high:  # the constraints lie outside what the data covers: respect the constraints
            low = c_low if c_low is not None else observed[0]
            high = c_high if c_high is not None else observed[1]
            low, high = min(low, high), max(low, high)
            notes.append("제약 조건이 관측된 가격 범위와 겹치지 않아 관측 범위 밖에서 계산했습니다(외삽)")
    optimal = best_price(curve, target=target_metric, low=low, high=high, digits=digits)
    optimal = min(max(optimal, low), high) if high - low >= 10.0**-digits else round(low, digits)

    limited_by: list[str] = []
    free = analytic_optimum(curve.theta, target_metric, curve.unit_cost)
    for bound, side in ((low, "low"), (high, "high")):
        if abs(optimal - bound) <= 10.0**-digits and (
            (side == "low" and free < bound) or (side == "high" and free > bound)
        ):
            if side == "low":
                limited_by.append("constraints" if c_low is not None and bound == c_low else "observed_range")
            else:
                limited_by.append("constraints" if c_high is not None and bound == c_high else "observed_range")

    extrapolated = outside(optimal, observed)
    if extrapolated:
        notes.append("최적 가격이 판매 이력의 가격 범위 밖입니다: 수요 곡선을 외삽한 값이라 불확실성이 큽니다")
    current_outside = outside(current, observed)
    if current_outside:
        notes.append("현재 가격이 판매 이력의 가격 범위 밖입니다: 비교 기준이 외삽 값입니다")
    pooling = _pooling_text(est)
    if pooling:
        notes.append(pooling)

    data = {
        "product_id": product.pk,
        "currency": product.currency,
        "current_price": round(current, digits),
        "optimal_price": round(optimal, digits),
        "target_metric": target_metric,
        "predicted_impact": impact(curve, current=current, optimal=optimal),
        "price_elasticity": round(curve.theta, 3),
        "price_elasticity_interval": [round(curve.theta - Z90 * curve.sd, 3), round(curve.theta + Z90 * curve.sd, 3)],
        "confidence": confidence(curve, target=target_metric, optimal=optimal, low=low, high=high, seed=product.pk),
        "unit_cost": round(float(cost), digits) if cost is not None else None,
        "price_range": {
            "observed_min": round(observed[0], digits),
            "observed_max": round(observed[1], digits),
            "search_min": round(low, digits),
            "search_max": round(high, digits),
        },
        "extrapolation": extrapolated,
        "current_price_extrapolated": current_outside,
        "limited_by": limited_by,
        "expected_weekly": {
            "current": point(curve, current, observed=observed, digits=digits),
            "optimal": point(curve, optimal, observed=observed, digits=digits),
        },
        "estimate": {
            "source": source,
            "method": est["method"],
            "granularity": est["granularity"],
            "as_of": est["as_of"],
            "periods": est["periods"],
            "periods_with_sales": est["periods_with_sales"],
            "price_levels": est["price_levels"],
            "own_elasticity": None if est["own_theta"] is None else round(est["own_theta"], 3),
            "own_elasticity_se": None if est["own_se"] is None else round(est["own_se"], 3),
            "pooling": {
                "applied": est["prior"] is not None and est["weight_own"] < 0.999,
                "prior": est["prior"],
                "prior_elasticity": None if est["prior_theta"] is None else round(est["prior_theta"], 3),
                "weight_own": round(est["weight_own"], 3),
            },
        },
        "notes": notes,
    }
    if simulate:
        data["simulate"] = [point(curve, float(p), observed=observed, digits=digits) for p in simulate]
    return data
