"""Shop recommendation endpoints (seed 000 §3). Thin: validate, read through the 24 h cache
(keyed by the served model's artifact id), drop products deactivated since the result was
cached, audit reads of a buyer's recommendations. Access, rate scope and cache time come from
accounts/policy.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.policy import rule_for
from commerce.models import Product
from core.cache import cached_result
from core.schema import ok_response
from recommendations.shop import schema_examples as examples

from .selectors import ALGORITHMS, related_products, user_product_recommendations
from .store import served_model_id

MAX_LIMIT = 50


def _ttl(route: str) -> int:
    rule = rule_for(route, "GET")
    return (rule.cache_seconds if rule else None) or 24 * 3600


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


class UserProductRecommendationsView(APIView):
    """``GET /api/v1/recommendations/users/{id}/products?limit=10&algorithm=hybrid``."""

    @extend_schema(
        summary="개인화 상품 추천",
        description="구매 이력으로 이 구매자에게 맞는 상품을 고릅니다 (hybrid = 협업 필터링 + 내용 기반, "
        "collaborative, content_based). 구매가 없으면 둘러본 카테고리의 최근 인기 상품(cold_start)으로 답합니다.",
        parameters=[
            OpenApiParameter("limit", int, description=f"추천 개수 (1~{MAX_LIMIT}, 기본 10)"),
            OpenApiParameter("algorithm", str, enum=list(ALGORITHMS), description="기본 hybrid"),
        ],
        responses={200: ok_response(examples.USER_PRODUCTS)},
    )
    def get(self, request: Request, user_id: int) -> Response:
        query = UserProductsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit, algorithm = query.validated_data["limit"], query.validated_data["algorithm"]
        data, hit = cached_result(
            "shop-user-product-recs",
            scopes=(f"customer:{user_id}", "shop"),
            params={"id": user_id, "algorithm": algorithm, "limit": limit, "model": served_model_id()},
            ttl=_ttl("recommendations-user-products"),
            compute=lambda: user_product_recommendations(customer_id=user_id, algorithm=algorithm, limit=limit),
        )
        recs = _still_active(data["recommendations"], hit)[:limit]
        metadata = {**data["metadata"], "total_recommendations": len(recs)}
        audit_log(
            action=AuditLog.Action.VIEW,
            request=request,
            customer_ids=[user_id],
            query={"algorithm": algorithm, "limit": limit, "product_ids": [r["product_id"] for r in recs]},
            status_code=200,
            cache_hit=hit,
        )
        return Response(
            {
                "user_id": data["user_id"],
                "algorithm": algorithm,
                "recommendations": recs,
                "metadata": {
                    "total_recommendations": metadata["total_recommendations"],
                    "confidence_score": metadata["confidence_score"],
                    "generated_at": metadata["generated_at"],
                    "model_version": metadata["model_version"],
                    "model_as_of": metadata["model_as_of"],
                    "cold_start": metadata["cold_start"],
                },
            }
        )


class RelatedProductsView(APIView):
    """``GET /api/v1/recommendations/products/{id}/related?limit=10``."""

    @extend_schema(
        summary="연관 상품 추천",
        description="이 상품과 함께 구매된 상품(최소 지지도를 넘는 동시 구매), 그다음 내용이 비슷한 상품 (판매 중인 것만).",
        parameters=[OpenApiParameter("limit", int, description=f"개수 (1~{MAX_LIMIT}, 기본 10)")],
        responses={200: ok_response(examples.RELATED)},
    )
    def get(self, request: Request, product_id: int) -> Response:
        query = RelatedQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        data, hit = cached_result(
            "shop-related-products",
            scopes=("shop",),
            params={"id": product_id, "limit": limit, "model": served_model_id()},
            ttl=_ttl("recommendations-product-related"),
            compute=lambda: related_products(product_id=product_id, limit=limit),
        )
        return Response({**data, "related_products": _still_active(data["related_products"], hit)[:limit]})
