"""Real-shaped examples of the shop analytics answers for Swagger (docs/analytics-api.md)."""

from __future__ import annotations

DASHBOARD = {
    "period": "week",
    "date_range": {"start": "2026-11-01", "end": "2026-11-07"},
    "revenue": {
        "total": 25000.0,
        "currency": "KRW",
        "growth_rate": 25.0,
        "previous_total": 20000.0,
        "daily_average": 3571.43,
        "trend": "increasing",
        "by_currency": [
            {"currency": "KRW", "total": 25000.0, "completed_orders": 2, "previous_total": 20000.0, "growth_rate": 25.0}
        ],
    },
    "orders": {
        "total": 5,
        "completed": 3,
        "cancelled": 1,
        "pending": 1,
        "conversion_rate": 60.0,
        "average_order_value": 12500.0,
    },
    "users": {"total_active": 3, "new_users": 2, "returning_users": 1, "retention_rate": 50.0},
    "products": {
        "total_sold": 4,
        "unique_products": 2,
        "average_rating": 4.5,
        "scored_reviews": 2,
        "positive_review_share": 50.0,
    },
    "daily_trend": [
        {"date": "2026-11-01", "revenue": 20000.0, "orders": 1, "users": 1},
        {"date": "2026-11-02", "revenue": 0.0, "orders": 0, "users": 0},
    ],
    "top_categories": [{"category_id": 1, "category_name": "김치/반찬", "sales_count": 2, "revenue": 20000.0}],
}

BEHAVIOR = {
    "user_id": 3,
    "behavior_score": 72.41,
    "behavior_score_components": {"recency": 0.9444, "frequency": 0.3333, "engagement": 0.6, "retention": 0.81},
    "purchase_history": {
        "total_orders": 4,
        "total_spent": 55000.0,
        "currency": "KRW",
        "average_order_value": 18333.33,
        "last_purchase_date": "2026-11-12T03:00:00Z",
        "purchase_frequency": "high",
        "orders_last_90_days": 3,
        "orders_last_365_days": 4,
        "other_currencies": [],
    },
    "favorite_categories": [{"category_id": 1, "category_name": "김치/반찬", "purchase_count": 3}],
    "browsing_patterns": {
        "most_viewed_category": "장류",
        "average_session_duration": 200,
        "total_page_views": 4,
        "total_sessions": 3,
        "sessions_last_90_days": 3,
        "search_keywords": ["김치", "고추장", "라면"],
    },
    "engagement": {
        "reviews_written": 2,
        "average_rating_given": 4.5,
        "wishlist_items": 1,
        "cart_abandonment_rate": 50.0,
        "carts": 2,
        "abandoned_carts": 1,
    },
    "churn_prediction": {
        "model_available": True,
        "probability": 0.19,
        "risk_level": "low",
        "last_activity_days": 1,
        "model_version": "20261122051200-1a2b3c4d",
        "trained_as_of": "2026-08-24",
    },
    "next_best_actions": [
        {
            "action": "recommend_products",
            "category": "김치/반찬",
            "priority": "high",
            "reason": "가장 많이 구매한 카테고리(김치/반찬, 3회 주문)",
        }
    ],
}

FORECAST = {
    "forecast_period": {
        "start_date": "2026-12-01",
        "end_date": "2026-12-03",
        "days": 3,
        "as_of": "2026-11-30",
        "currency": "KRW",
        "product_id": None,
        "category_id": None,
    },
    "historical_data": [
        {"date": "2026-11-28", "actual_sales": 312400.0, "order_count": 27},
        {"date": "2026-11-29", "actual_sales": 498100.0, "order_count": 41},
    ],
    "forecast": [
        {
            "date": "2026-12-01",
            "predicted_sales": 305200.0,
            "predicted_orders": 27,
            "confidence_lower": 241800.0,
            "confidence_upper": 368600.0,
            "confidence_level": 0.95,
        }
    ],
    "metrics": {
        "total_predicted_sales": 918300.0,
        "average_daily_sales": 306100.0,
        "growth_rate": 4.2,
        "model_accuracy": 0.84,
        "average_order_value_used": 11435.48,
        "backtest": {
            "weeks": 4,
            "days": 28,
            "model": {"mae": 28550.57, "mape": 0.16, "smape": 14.8},
            "seasonal_naive": {"mae": 41032.14, "mape": 0.22, "smape": 20.1},
            "accuracy": 0.84,
            "beats_baseline": True,
        },
        "model": "ETS(A,Ad,A) 주간 계절성 (statsmodels ETSModel)",
    },
    "insights": [
        {
            "type": "seasonality",
            "message": "주말에 판매가 평일보다 61.2% 높은 패턴이 있습니다",
            "confidence": "medium",
            "value": 61.17,
        }
    ],
}
