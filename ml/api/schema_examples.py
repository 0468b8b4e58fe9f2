"""Real-shaped examples of the ML answers for Swagger (docs/sentiment.md, docs/pricing.md)."""

from __future__ import annotations

# the served model's answer (review_sentiment@20261130004917-993c04bc/a2, docs/sentiment.md)
SENTIMENT = {
    "review_id": 1,
    "sentiment": "positive",
    "confidence": 0.9955,
    "scores": {"positive": 0.9955, "neutral": 0.003, "negative": 0.0015},
    "keywords": [
        {"word": "친절하다", "importance": 0.568},
        {"word": "맛있다", "importance": 0.543},
        {"word": "배송", "importance": 0.445},
        {"word": "빠르다", "importance": 0.43},
    ],
    "aspects": {
        "delivery": {"sentiment": "positive", "score": 0.9711},
        "service": {"sentiment": "neutral", "score": 0.7547},
        "taste": {"sentiment": "positive", "score": 0.9258},
    },
}

_WEEK_CURRENT = {
    "price": 14600.0,
    "units": 8.56,
    "units_interval": [6.42, 11.42],
    "revenue": 124943.51,
    "revenue_interval": [93664.3, 166668.43],
    "profit": None,
    "profit_interval": None,
    "extrapolated": False,
}
_WEEK_OPTIMAL = {
    "price": 14000.0,
    "units": 8.93,
    "units_interval": [6.68, 11.94],
    "revenue": 125038.0,
    "revenue_interval": [93502.12, 167210.13],
    "profit": None,
    "profit_interval": None,
    "extrapolated": False,
}

PRICING = {
    "product_id": 1,
    "currency": "KRW",
    "current_price": 14600.0,
    "optimal_price": 14000.0,
    "target_metric": "revenue",
    "predicted_impact": {
        "revenue_increase": 0.08,
        "revenue_increase_interval": [-3.65, 3.95],
        "sales_volume_change": 4.36,
        "sales_volume_change_interval": [0.48, 8.4],
        "profit_increase": None,
        "profit_increase_interval": None,
        "profit_increase_reason": "상품 원가(unit_cost)가 없어 이익 변화를 계산하지 않았습니다",
    },
    "price_elasticity": -1.018,
    "price_elasticity_interval": [-1.922, -0.114],
    "confidence": 0.573,
    "unit_cost": None,
    "price_range": {"observed_min": 12384.0, "observed_max": 16060.0, "search_min": 14000.0, "search_max": 16060.0},
    "extrapolation": False,
    "current_price_extrapolated": False,
    "limited_by": ["constraints"],
    "expected_weekly": {"current": _WEEK_CURRENT, "optimal": _WEEK_OPTIMAL},
    "estimate": {
        "source": "stored",
        "method": "poisson",
        "granularity": "week",
        "as_of": "2026-11-20",
        "periods": 103,
        "periods_with_sales": 90,
        "price_levels": 10,
        "own_elasticity": -0.437,
        "own_elasticity_se": 0.856,
        "pooling": {"applied": True, "prior": "category", "prior_elasticity": -1.427, "weight_own": 0.413},
    },
    "notes": ["이 상품의 가격 변화가 적어 카테고리 탄력성(-1.43) 쪽으로 보정했습니다 (자체 추정 -0.44, 자체 비중 41%)"],
    "simulate": [_WEEK_OPTIMAL],
}
