"""Real-shaped examples of the shop recommendations for Swagger (docs/shop-recommendations.md)."""

from __future__ import annotations

USER_PRODUCTS = {
    "user_id": 9,
    "algorithm": "collaborative",
    "recommendations": [
        {
            "product_id": 104,
            "product_name": "한맛 홍삼스틱 30포",
            "product_name_en": "Hanmat Red Ginseng Sticks x30",
            "score": 0.8965,
            "reason": "'정성가득 물냉면 2인분'을 구매한 고객이 함께 많이 구매한 상품",
            "category_id": 6,
            "price": 45100.0,
            "currency": "KRW",
            "rating_average": 4.2,
            "image_url": "https://cdn.example.com/kfood/kf-06021.jpg",
        }
    ],
    "metadata": {
        "total_recommendations": 1,
        "confidence_score": 0.9429,
        "generated_at": "2026-11-29T18:43:06.805620Z",
        "model_version": "20261129184246-f2ad4d98",
        "model_as_of": "2026-11-28",
        "cold_start": False,
    },
}

RELATED = {
    "product_id": 1,
    "related_products": [
        {
            "product_id": 3,
            "product_name": "태양초 고추장 500g",
            "similarity_score": 0.6708,
            "relation_type": "frequently_bought_together",
            "support": 3,
            "lift": 5.85,
        },
        {
            "product_id": 4,
            "product_name": "한맛 포기김치 3kg",
            "similarity_score": 0.981,
            "relation_type": "similar_product",
            "support": None,
            "lift": None,
        },
    ],
    "metadata": {
        "model_version": "20261129184246-f2ad4d98",
        "model_as_of": "2026-11-28",
        "generated_at": "2026-11-29T18:43:06.805620Z",
    },
}
