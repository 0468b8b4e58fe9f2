"""POST /api/v1/ml/pricing/optimize (seed 000 §4.1): the seed's shape, the analytic optimum,
constraints and extrapolation, unit cost and profit, INSUFFICIENT_DATA, validation that changes
nothing, roles and the analytics rate limit."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command

from commerce.models import Product
from commerce.testing.factories import ProductFactory
from ml.models import ModelArtifact
from ml.pricing.elasticity import Z90
from ml.pricing.optimizer import Curve, best_price, impact
from ml.tests.pricing_data import category_with_products, simulate_sales

URL = "/api/v1/ml/pricing/optimize"
pytestmark = pytest.mark.django_db


@pytest.fixture
def trained():
    """A category of four products with known elasticities (θ = −1.8 first), estimated and stored."""
    products = category_with_products(thetas=[-1.8, -1.2, -2.5, -0.8], seed=7)
    call_command("estimate_price_elasticity", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    return products


@pytest.fixture
def manager(api_client_for):
    return api_client_for("MANAGER")


def _post(client, body):
    return client.post(URL, body, format="json")


# --- the pure optimiser: analytic optimum --------------------------------------------------------


@pytest.mark.parametrize(
    ("theta", "cost", "expected"), [(-2.0, 5000.0, 10000), (-3.0, 6000.0, 9000), (-1.5, 3000.0, 9000)]
)
def test_profit_optimum_is_the_lerner_price(theta, cost, expected):
    curve = Curve(theta=theta, sd=0.1, base_log_units=3.0, base_se=0.1, ref_price=10000, unit_cost=cost)
    assert best_price(curve, target="profit", low=4000, high=20000, digits=0) == expected  # p* = cθ/(1+θ)
    grid = np.linspace(4000, 20000, 16001)
    assert grid[np.argmax(curve.metric(grid, "profit"))] == pytest.approx(expected, abs=1)  # and numerically


@pytest.mark.parametrize(("theta", "expected"), [(-2.0, 8.0), (-0.5, 12.0)])
def test_revenue_optimum_is_the_end_of_the_range_the_elasticity_points_to(theta, expected):
    curve = Curve(theta=theta, sd=0.1, base_log_units=3.0, base_se=0.1, ref_price=10.0, unit_cost=None)
    assert best_price(curve, target="revenue", low=8.0, high=12.0, digits=2) == expected


def test_impact_figures_and_intervals_are_the_curve_at_the_ends_of_the_elasticity_interval():
    curve = Curve(theta=-2.0, sd=0.2, base_log_units=3.0, base_se=0.1, ref_price=10.0, unit_cost=4.0)
    out = impact(curve, current=10.0, optimal=8.0)
    r = 0.8
    assert out["sales_volume_change"] == round((r**-2.0 - 1) * 100, 2)
    assert out["revenue_increase"] == round((r**-1.0 - 1) * 100, 2)
    assert out["profit_increase"] == round(((8 - 4) / (10 - 4) * r**-2.0 - 1) * 100, 2)
    lo, hi = -2.0 - Z90 * 0.2, -2.0 + Z90 * 0.2
    assert out["sales_volume_change_interval"] == sorted([round((r**lo - 1) * 100, 2), round((r**hi - 1) * 100, 2)])
    for name in ("revenue_increase", "sales_volume_change", "profit_increase"):
        low, high = out[f"{name}_interval"]
        assert low <= out[name] <= high


# --- the endpoint ------------------------------------------------------------------------------


def test_seed_shape_with_stored_estimate(trained, manager):
    product = trained[0]
    response = _post(
        manager,
        {
            "product_id": product.pk,
            "current_price": 10000,
            "target_metric": "revenue",
            "constraints": {"min_price": 8500, "max_price": 11500},
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert {
        "product_id",
        "current_price",
        "optimal_price",
        "predicted_impact",
        "price_elasticity",
        "confidence",
    } <= set(data)
    assert data["product_id"] == product.pk and data["currency"] == "KRW" and data["current_price"] == 10000
    assert set(data["predicted_impact"]) == {
        "revenue_increase",
        "revenue_increase_interval",
        "sales_volume_change",
        "sales_volume_change_interval",
        "profit_increase",
        "profit_increase_interval",
        "profit_increase_reason",
    }
    theta = data["price_elasticity"]
    assert abs(theta + 1.8) <= 0.35
    low, high = data["price_elasticity_interval"]
    assert low < theta < high and low <= -1.8 <= high
    # elastic (θ < −1): revenue is highest at the lowest allowed price
    assert data["optimal_price"] == 8500 and data["limited_by"] == ["constraints"]
    r = 8500 / 10000
    assert data["predicted_impact"]["revenue_increase"] == pytest.approx((r ** (1 + theta) - 1) * 100, abs=0.05)
    assert data["predicted_impact"]["sales_volume_change"] == pytest.approx((r**theta - 1) * 100, abs=0.05)
    assert data["predicted_impact"]["profit_increase"] is None
    assert "원가" in data["predicted_impact"]["profit_increase_reason"]
    assert 0.9 <= data["confidence"] <= 1.0  # θ is well below −1: a lower price surely earns more
    assert data["extrapolation"] is False and data["estimate"]["source"] == "stored"
    assert data["estimate"]["pooling"]["prior"] == "category"
    assert "simulate" not in data


def test_current_price_defaults_to_the_products_price(trained, manager):
    data = _post(manager, {"product_id": trained[0].pk}).json()["data"]
    assert data["current_price"] == 10000 and data["target_metric"] == "revenue"
    assert (
        data["price_range"]["search_min"] == data["price_range"]["observed_min"]
    )  # no constraints: what the data covers
    assert data["price_range"]["search_max"] == data["price_range"]["observed_max"]


def test_inelastic_product_goes_up_to_the_observed_maximum_not_beyond(trained, manager):
    inelastic = trained[3]  # θ = −0.8
    data = _post(manager, {"product_id": inelastic.pk, "constraints": {"max_price": 20000}}).json()["data"]
    assert data["price_elasticity"] > -1
    assert data["optimal_price"] == data["price_range"]["observed_max"] < 20000
    assert data["limited_by"] == ["observed_range"] and data["extrapolation"] is False
    assert data["predicted_impact"]["revenue_increase"] > 0 > data["predicted_impact"]["sales_volume_change"]


def test_extrapolation_when_allowed_is_flagged(trained, manager):
    inelastic = trained[3]
    data = _post(
        manager, {"product_id": inelastic.pk, "constraints": {"max_price": 20000}, "allow_extrapolation": True}
    ).json()["data"]
    assert data["optimal_price"] == 20000 and data["extrapolation"] is True
    assert data["limited_by"] == ["constraints"]
    assert any("외삽" in n for n in data["notes"])


def test_constraints_outside_the_observed_range_are_respected_and_flagged(trained, manager):
    data = _post(
        manager, {"product_id": trained[0].pk, "constraints": {"min_price": 30000, "max_price": 40000}}
    ).json()["data"]
    assert 30000 <= data["optimal_price"] <= 40000 and data["extrapolation"] is True


def test_profit_with_the_products_unit_cost_sits_at_the_lerner_price(trained, manager):
    product = trained[0]
    Product.objects.filter(pk=product.pk).update(unit_cost=Decimal("4500"))
    data = _post(
        manager,
        {"product_id": product.pk, "target_metric": "profit", "allow_extrapolation": True,
         "constraints": {"min_price": 5000, "max_price": 30000}},
    ).json()["data"]  # fmt: skip
    theta = data["price_elasticity"]
    assert data["unit_cost"] == 4500
    assert data["optimal_price"] == pytest.approx(4500 * theta / (1 + theta), abs=2)  # p* = cθ/(1+θ)
    r = data["optimal_price"] / 10000
    expected = ((data["optimal_price"] - 4500) / (10000 - 4500) * r**theta - 1) * 100
    assert data["predicted_impact"]["profit_increase"] == pytest.approx(expected, abs=0.1)
    low, high = data["predicted_impact"]["profit_increase_interval"]
    assert low <= data["predicted_impact"]["profit_increase"] <= high
    assert data["predicted_impact"]["profit_increase_reason"] is None


def test_unit_cost_in_the_request_overrides_and_a_loss_making_current_price_has_no_percentage(trained, manager):
    data = _post(manager, {"product_id": trained[0].pk, "unit_cost": 12000}).json()["data"]
    assert data["unit_cost"] == 12000
    assert data["predicted_impact"]["profit_increase"] is None
    assert "원가 이하" in data["predicted_impact"]["profit_increase_reason"]


def test_simulate_returns_the_curve_with_intervals(trained, manager):
    data = _post(manager, {"product_id": trained[0].pk, "unit_cost": 4000, "simulate": [8000, 10000, 16000]}).json()[
        "data"
    ]
    rows = data["simulate"]
    assert [r["price"] for r in rows] == [8000, 10000, 16000]
    assert [r["extrapolated"] for r in rows] == [False, False, True]
    assert rows[0]["units"] > rows[1]["units"] > rows[2]["units"]  # demand slopes down
    ratio = rows[0]["units"] / rows[1]["units"]
    assert math.log(ratio) / math.log(0.8) == pytest.approx(data["price_elasticity"], abs=0.01)
    for r in rows:
        assert r["units_interval"][0] <= r["units"] <= r["units_interval"][1]
        assert r["revenue"] == pytest.approx(r["units"] * r["price"], rel=1e-3)
        assert r["profit"] == pytest.approx(r["units"] * (r["price"] - 4000), rel=1e-3)
        assert r["profit_interval"][0] <= r["profit"] <= r["profit_interval"][1]
    # the interval is narrowest where the data is (the elasticity's uncertainty grows with distance)
    widths = [(r["units_interval"][1] - r["units_interval"][0]) / r["units"] for r in rows]
    assert widths[2] > widths[1]


def test_on_demand_fit_for_a_product_without_a_stored_estimate(manager):
    product = ProductFactory(price=Decimal("0.85"), currency="EUR")
    simulate_sales(product=product, theta=-1.8, seed=3, base_per_week=30)
    assert not ModelArtifact.objects.exists()
    response = _post(manager, {"product_id": product.pk, "simulate": [0.75]})
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["currency"] == "EUR" and data["current_price"] == 0.85
    assert data["estimate"]["source"] == "on_demand" and data["estimate"]["pooling"]["applied"] is False
    assert abs(data["price_elasticity"] + 1.8) <= 0.35
    assert data["simulate"][0]["price"] == 0.75
    assert not ModelArtifact.objects.exists()


def test_thin_variation_borrows_from_the_category_and_says_so(trained, manager):
    single = ProductFactory(category=trained[0].category, price=Decimal("10000"))
    simulate_sales(product=single, theta=-1.5, seed=5, levels=(1.0,), promo_share=0.0)
    data = _post(manager, {"product_id": single.pk}).json()["data"]
    assert data["estimate"]["own_elasticity"] is None
    assert data["estimate"]["pooling"] == {
        "applied": True,
        "prior": "category",
        "prior_elasticity": data["price_elasticity"],
        "weight_own": 0.0,
    }
    assert any("카테고리 탄력성" in n for n in data["notes"])


def test_insufficient_data_names_what_is_needed(manager):
    product = ProductFactory(price=Decimal("10000"))
    simulate_sales(product=product, theta=-1.5, seed=8, levels=(1.0,), promo_share=0.0)  # one price, no category peers
    response = _post(manager, {"product_id": product.pk})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_DATA"
    assert error["details"]["product_id"] == product.pk
    assert error["details"]["price_levels"] == 1 and error["details"]["min_price_levels"] == 2
    assert error["details"]["min_periods_with_sales"] == 8
    assert "2개 이상" in error["message"]


def test_a_product_that_never_sold_is_insufficient_data(manager):
    product = ProductFactory()
    response = _post(manager, {"product_id": product.pk})
    assert response.status_code == 400 and response.json()["error"]["code"] == "INSUFFICIENT_DATA"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_id": 1, "constraints": {"min_price": 20, "max_price": 12}}, "constraints"),
        ({"product_id": 1, "current_price": -5}, "current_price"),
        ({"product_id": 1, "constraints": {"min_price": -1}}, "constraints"),
        ({"product_id": 1, "target_metric": "margin"}, "target_metric"),
        ({"product_id": 1, "simulate": [10, 0]}, "simulate"),
        ({"product_id": 1, "unit_cost": -1}, "unit_cost"),
        ({"product_id": "x"}, "product_id"),
        ({}, "product_id"),
    ],
)
def test_invalid_bodies_are_refused_and_change_nothing(trained, manager, body, field):
    body = {**body, "product_id": trained[0].pk} if body.get("product_id") == 1 else body
    artifacts = list(ModelArtifact.objects.values_list("pk", "version"))
    products = list(Product.objects.order_by("pk").values_list("pk", "price", "unit_cost"))
    response = _post(manager, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and field in error["details"]["fields"]
    assert list(ModelArtifact.objects.values_list("pk", "version")) == artifacts
    assert list(Product.objects.order_by("pk").values_list("pk", "price", "unit_cost")) == products


def test_profit_without_any_unit_cost_is_a_validation_error(trained, manager):
    response = _post(manager, {"product_id": trained[0].pk, "target_metric": "profit"})
    assert response.status_code == 400
    assert (
        response.json()["error"]["code"] == "VALIDATION_ERROR"
        and "unit_cost" in response.json()["error"]["details"]["fields"]
    )


def test_unknown_product_is_404(manager):
    response = _post(manager, {"product_id": 987654})
    assert response.status_code == 404 and response.json()["error"]["code"] == "PRODUCT_NOT_FOUND"
    assert not ModelArtifact.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("STAFF", 403), ("MANAGER", 200), ("ADMIN", 200)])
def test_roles(trained, api_client_for, role, status):
    response = _post(api_client_for(role), {"product_id": trained[0].pk})
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "UNAUTHORIZED_ACCESS"


def test_anonymous_and_internal_service(trained, api_client, internal_client_for):
    assert _post(api_client, {"product_id": trained[0].pk}).status_code == 401
    assert _post(internal_client_for("MANAGER", sub="pricing-bot"), {"product_id": trained[0].pk}).status_code == 200
    assert _post(internal_client_for("STAFF", sub="pricing-bot"), {"product_id": trained[0].pk}).status_code == 403


def test_analytics_rate_limit(trained, manager, settings):
    settings.RATE_LIMIT_OVERRIDES = {"analytics": "2/m"}
    assert [_post(manager, {"product_id": trained[0].pk}).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    ("theta", "target", "optimal"),
    [(-1.1, "revenue", 8.0), (-0.9, "revenue", 8.0), (-2.0, "profit", 8.0), (-1.3, "profit", 12.0)],
)
def test_confidence_equals_a_brute_force_grid_over_the_same_draws(theta, target, optimal):
    from ml.pricing.optimizer import DRAWS, REGRET_TOLERANCE, confidence

    curve = Curve(theta=theta, sd=0.3, base_log_units=3.0, base_se=0.1, ref_price=10.0, unit_cost=4.0)
    got = confidence(curve, target=target, optimal=optimal, low=8.0, high=12.0, seed=5)
    thetas = np.random.default_rng(5).normal(theta, 0.3, DRAWS)[:, None]
    grid = np.linspace(8.0, 12.0, 4001)[None, :]
    best = curve.metric(grid, target, thetas).max(axis=1)
    at = curve.metric(np.array([[optimal]]), target, thetas)[:, 0]
    assert got == pytest.approx(float((at >= best - REGRET_TOLERANCE * np.abs(best)).mean()), abs=0.002)


def test_a_product_the_nightly_run_skipped_answers_insufficient_data_from_the_artifact(trained, manager):
    from ml.pricing.estimates import stored_estimates

    thin = ProductFactory(category=trained[0].category, price=Decimal("10000"))
    simulate_sales(product=thin, theta=-1.5, seed=9, days=30)  # 4 weeks: too short
    call_command("estimate_price_elasticity", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    model, _ = stored_estimates()
    assert thin.pk in model["skipped"]
    response = _post(manager, {"product_id": thin.pk})
    assert response.status_code == 400 and response.json()["error"]["code"] == "INSUFFICIENT_DATA"
    assert response.json()["error"]["details"]["periods_with_sales"] == model["skipped"][thin.pk]["periods_with_sales"]
