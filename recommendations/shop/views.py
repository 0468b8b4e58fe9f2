"""Shop recommendation endpoints (seed 000 §3). Thin: validate, read through the 24 h cache
(keyed by the served model's artifact id), drop products deactivated since the result was
cached, audit reads of a buyer's recommendations. Access, rate scope and cache time come from
accounts/policy.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from accounts.api.read import Read, ReadView
from accounts.models import AuditLog
from commerce.models import Product
from core.schema import ok_example
from customers.api.read import CustomerInPath

from . import schema_examples as examples
from .selectors import ALGORITHMS, product_require, related_products, user_product_recommendations
from .store import served_model_id

MAX_LIMIT = 50


class UserProductsQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10)
    algorithm = serializers.ChoiceField(choices=ALGORITHMS, default="hybrid")


class RelatedQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=10)


def _still_active(items: list[dict], hit: bool) -> list[dict]:
    """On a cache hit, drop products deactivated after the result was cached (one query)."""
    if not hit or not items:
        return items
    active = set(
        Product.objects.filter(id__in=[i["product_id"] for i in items], is_active=True).values_list("id", flat=True)
    )
    return [i for i in items if i["product_id"] in active]


class ProductOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    product_name_en = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    reason = serializers.CharField(help_text="한국어 추천 이유")
    category_id = serializers.IntegerField(allow_null=True)
    price = serializers.FloatField()
    currency = serializers.CharField(help_text="ISO 4217")
    rating_average = serializers.FloatField(allow_null=True)
    image_url = serializers.CharField(allow_null=True)


class UserProductsMetadataOutput(serializers.Serializer):
    total_recommendations = serializers.IntegerField()
    confidence_score = serializers.FloatField()
    generated_at = serializers.DateTimeField()
    model_version = serializers.CharField(allow_null=True)
    model_as_of = serializers.DateField(allow_null=True)
    cold_start = serializers.BooleanField()


class UserProductsOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    algorithm = serializers.ChoiceField(choices=ALGORITHMS)
    recommendations = ProductOutput(many=True)
    metadata = UserProductsMetadataOutput()


class RelatedMetadataOutput(serializers.Serializer):
    model_version = serializers.CharField(allow_null=True)
    model_as_of = serializers.DateField(allow_null=True)
    generated_at = serializers.DateTimeField()


class RelatedProductsOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    related_products = ProductOutput(many=True)
    metadata = RelatedMetadataOutput()


@extend_schema(
    summary="개인화 상품 추천",
    description="구매 이력으로 이 구매자에게 맞는 상품을 고릅니다 (hybrid = 협업 필터링 + 내용 기반, "
    "collaborative, content_based). 구매가 없으면 둘러본 카테고리의 최근 인기 상품(cold_start)으로 답합니다.",
    parameters=[
        OpenApiParameter("limit", int, description=f"추천 개수 (1~{MAX_LIMIT}, 기본 10)"),
        OpenApiParameter("algorithm", str, enum=list(ALGORITHMS), description="기본 hybrid"),
    ],
    examples=[ok_example(examples.USER_PRODUCTS)],
)
class UserProductRecommendationsView(CustomerInPath, ReadView):
    """``GET /api/v1/recommendations/users/{id}/products?limit=10&algorithm=hybrid``."""

    query_serializer = UserProductsQuery
    output_serializer = UserProductsOutput
    cache_name = "shop-user-product-recs"
    audit_action = AuditLog.Action.VIEW
    customer_kwarg = "user_id"

    def cache_scopes(self, read: Read) -> tuple[str, ...]:
        return (f"customer:{read.args['user_id']}", "shop")

    def cache_params(self, read: Read) -> dict:
        q = read.query
        return {
            "id": read.args["user_id"],
            "algorithm": q["algorithm"],
            "limit": q["limit"],
            "model": served_model_id(),
        }

    def compute(self, read: Read) -> dict:
        q = read.query
        return user_product_recommendations(
            customer_id=read.args["user_id"], algorithm=q["algorithm"], limit=q["limit"]
        )

    def reveal(self, read: Read, data: dict) -> dict:
        recs = _still_active(data["recommendations"], read.hit)[: read.query["limit"]]
        metadata = data["metadata"]
        return {
            "user_id": data["user_id"],
            "algorithm": read.query["algorithm"],
            "recommendations": recs,
            "metadata": {
                "total_recommendations": len(recs),
                "confidence_score": metadata["confidence_score"],
                "generated_at": metadata["generated_at"],
                "model_version": metadata["model_version"],
                "model_as_of": metadata["model_as_of"],
                "cold_start": metadata["cold_start"],
            },
        }

    def audit_query(self, read: Read, out: dict) -> dict:
        q = read.query
        return {
            "algorithm": q["algorithm"],
            "limit": q["limit"],
            "product_ids": [r["product_id"] for r in out["recommendations"]],
        }


@extend_schema(
    summary="연관 상품 추천",
    description="이 상품과 함께 구매된 상품(최소 지지도를 넘는 동시 구매), 그다음 내용이 비슷한 상품 (판매 중인 것만).",
    parameters=[OpenApiParameter("limit", int, description=f"개수 (1~{MAX_LIMIT}, 기본 10)")],
    examples=[ok_example(examples.RELATED)],
)
class RelatedProductsView(ReadView):
    """``GET /api/v1/recommendations/products/{id}/related?limit=10``."""

    query_serializer = RelatedQuery
    output_serializer = RelatedProductsOutput
    cache_name = "shop-related-products"
    customer_kwarg = None

    def cache_scopes(self, read: Read) -> tuple[str, ...]:
        return ("shop",)

    def cache_params(self, read: Read) -> dict:
        return {"id": read.args["product_id"], "limit": read.query["limit"], "model": served_model_id()}

    def check_invalid(self, read: Read) -> None:
        product_require(product_id=read.args["product_id"])  # an unknown product: 404 wins over 400

    def compute(self, read: Read) -> dict:
        return related_products(product_id=read.args["product_id"], limit=read.query["limit"])

    def reveal(self, read: Read, data: dict) -> dict:
        limit = read.query["limit"]
        return {**data, "related_products": _still_active(data["related_products"], read.hit)[:limit]}
