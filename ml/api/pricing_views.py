"""The price optimiser endpoint (seed 000 §4.1). Thin: validate the body, call the selector, return the data.
Access (MANAGER), rate scope (analytics) come from accounts/policy.py."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers

from accounts.api.read import BodyReadView, Read
from core.schema import ok_example
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


class PriceRangeOutput(serializers.Serializer):
    observed_min = serializers.FloatField()
    observed_max = serializers.FloatField()
    search_min = serializers.FloatField()
    search_max = serializers.FloatField()


class PriceOptimizeOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    currency = serializers.CharField(help_text="ISO 4217")
    current_price = serializers.FloatField()
    optimal_price = serializers.FloatField()
    target_metric = serializers.ChoiceField(choices=list(TARGETS))
    predicted_impact = serializers.DictField(help_text="매출·판매량·이익 변화(%)와 90% 구간")
    price_elasticity = serializers.FloatField()
    price_elasticity_interval = serializers.ListField(child=serializers.FloatField(), help_text="90% 구간")
    confidence = serializers.FloatField()
    unit_cost = serializers.FloatField(allow_null=True)
    price_range = PriceRangeOutput()
    extrapolation = serializers.BooleanField()
    current_price_extrapolated = serializers.BooleanField()
    limited_by = serializers.ListField(
        child=serializers.ChoiceField(choices=["constraints", "observed_range"]), help_text="최적가를 막은 경계"
    )
    expected_weekly = serializers.DictField(child=serializers.DictField(), help_text="current, optimal")
    estimate = serializers.DictField(help_text="탄력성 추정: 출처, 방법, 기간, 가격 수준, 풀링")
    notes = serializers.ListField(child=serializers.CharField())
    simulate = serializers.ListField(child=serializers.DictField(), required=False, help_text="simulate 가격별 예상")


@extend_schema(
    summary="가격 최적화 예측",
    description="측정된 가격 탄력성으로 매출(또는 원가가 있으면 이익)을 최대화하는 가격, 예상 효과와 90% 구간. docs/pricing.md",
    request=PriceOptimizeRequest,
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
        ),
        ok_example(examples.PRICING),
    ],
)
class PriceOptimizeView(BodyReadView):
    query_serializer = PriceOptimizeRequest
    output_serializer = PriceOptimizeOutput
    customer_kwarg = None

    def compute(self, read: Read) -> dict:
        q = read.query
        constraints = q.get("constraints") or {}
        return price_optimize(
            product_id=q["product_id"],
            current_price=q.get("current_price"),
            target_metric=q["target_metric"],
            min_price=constraints.get("min_price"),
            max_price=constraints.get("max_price"),
            unit_cost=q.get("unit_cost"),
            allow_extrapolation=q["allow_extrapolation"],
            simulate=q.get("simulate"),
        )
