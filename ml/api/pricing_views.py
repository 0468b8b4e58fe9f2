"""The price optimiser endpoint (seed 000 §4.1). Thin: validate the body, call the selector, return the data.
Access (MANAGER), rate scope (analytics) come from accounts/policy.py."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ok_response
from ml.api import schema_examples as examples
from ml.pricing.selectors import TARGETS, price_optimize

MAX_PRICE = 10_000_000_000
MAX_SIMULATE = 50


class PriceField(serializers.FloatField):
    """A positive price as a JSON number, rounded to cents (clients send floats like 14146.439…)."""

    def __init__(self, *, minimum: float = 0.01, **kwargs: object) -> None:
        super().__init__(min_value=minimum, max_value=MAX_PRICE, **kwargs)

    def to_internal_value(self, data: object) -> Decimal:
        value = super().to_internal_value(data)
        return Decimal(str(round(value, 2)))


def _price(**kwargs: object) -> PriceField:
    return PriceField(**kwargs)


class PriceConstraints(serializers.Serializer):
    min_price = _price(required=False)
    max_price = _price(required=False)

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["최소 가격은 최대 가격보다 클 수 없습니다"]})
        return attrs


class PriceOptimizeRequest(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1)
    current_price = _price(required=False)
    target_metric = serializers.ChoiceField(choices=list(TARGETS), default="revenue")
    constraints = PriceConstraints(required=False)
    unit_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        required=False,
        coerce_to_string=False,
    )
    allow_extrapolation = serializers.BooleanField(default=False)
    simulate = serializers.ListField(child=_price(), required=False, max_length=MAX_SIMULATE, allow_empty=True)


class PriceOptimizeView(APIView):
    @extend_schema(
        summary="가격 최적화 예측",
        description="측정된 가격 탄력성으로 매출(또는 원가가 있으면 이익)을 최대화하는 가격, 예상 효과와 90% 구간. docs/pricing.md",
        request=PriceOptimizeRequest,
        responses={200: ok_response(examples.PRICING)},
        examples=[
            OpenApiExample(
                "매출 기준",
                value={
                    "product_id": 1,
                    "current_price": 15.00,
                    "target_metric": "revenue",
                    "constraints": {"min_price": 12.00, "max_price": 20.00},
                    "simulate": [12.0, 15.0, 18.0],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        body = PriceOptimizeRequest(data=request.data)
        body.is_valid(raise_exception=True)
        q = body.validated_data
        constraints = q.get("constraints") or {}
        data = price_optimize(
            product_id=q["product_id"],
            current_price=q.get("current_price"),
            target_metric=q["target_metric"],
            min_price=constraints.get("min_price"),
            max_price=constraints.get("max_price"),
            unit_cost=q.get("unit_cost"),
            allow_extrapolation=q["allow_extrapolation"],
            simulate=q.get("simulate"),
        )
        return Response(data)
