"""Shop analytics endpoints (seed 000 §2). Thin: validate the query, read through the cache,
audit customer reads. Access, rate scope and cache time come from accounts/policy.py."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from accounts.api.read import Read, ReadView
from accounts.models import AuditLog
from commerce.currency import currency_choices, currency_resolve
from core.schema import ok_example
from customers.api.read import CustomerInPath
from ml.churn_shop import shop_churn_model_id

from . import schema_examples as examples
from .selectors.behavior import user_behavior
from .selectors.dashboard import dashboard_stats
from .selectors.forecast import MAX_FORECAST_DAYS, sales_forecast
from .selectors.periods import MAX_RANGE_DAYS, PERIOD_DAYS, local_today, resolve_range

DATE_FORMATS = ["%Y-%m-%d"]


class DashboardQuery(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(PERIOD_DAYS), default="month")
    start_date = serializers.DateField(required=False, input_formats=DATE_FORMATS)
    end_date = serializers.DateField(required=False, input_formats=DATE_FORMATS)

    def validate(self, attrs: dict) -> dict:
        r = resolve_range(period=attrs["period"], start=attrs.get("start_date"), end=attrs.get("end_date"))
        if r.start > r.end:
            raise serializers.ValidationError({"start_date": ["시작일은 종료일보다 늦을 수 없습니다"]})
        if r.days > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"end_date": [f"조회 기간은 최대 {MAX_RANGE_DAYS}일입니다"]})
        attrs["range"] = r
        return attrs


class ForecastQuery(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_FORECAST_DAYS, default=30)
    product_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    category_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    as_of = serializers.DateField(required=False, input_formats=DATE_FORMATS)

    def validate_as_of(self, value: date) -> date:
        if value > local_today():
            raise serializers.ValidationError("기준일은 오늘 이후일 수 없습니다")
        return value


def _currency_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "currency",
        str,
        enum=currency_choices(),
        description="금액을 나타낼 통화 (ISO 4217). 기본: 샵의 보고 통화 SHOP_CURRENCY. 통화끼리 합산하지 않습니다.",
    )


class _ShopRead(ReadView):
    """A shop analytics read: ``?currency=`` is checked before the rest of the query (an unknown
    code is VALIDATION_ERROR naming the choices), and goes into the cache key."""

    customer_kwarg = None

    def check(self, read: Read) -> None:
        read.extra["currency"] = currency_resolve(read.request.query_params.get("currency"))

    def cache_scopes(self, read: Read) -> tuple[str, ...]:
        return ("shop",)


class DashboardOutput(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(PERIOD_DAYS))
    date_range = serializers.DictField(child=serializers.DateField(), help_text="start, end")
    revenue = serializers.DictField(
        help_text="total, currency, growth_rate, previous_total, daily_average, trend, by_currency"
    )
    orders = serializers.DictField(help_text="상태별 건수, conversion_rate, average_order_value")
    users = serializers.DictField(help_text="total_active, new_users, returning_users, retention_rate")
    products = serializers.DictField(
        help_text="total_sold, unique_products, average_rating, scored_reviews, positive_review_share"
    )
    daily_trend = serializers.ListField(child=serializers.DictField(), help_text="date, revenue, orders, users")
    top_categories = serializers.ListField(
        child=serializers.DictField(), help_text="category_id, category_name, sales_count, revenue"
    )


class UserBehaviorOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    behavior_score = serializers.FloatField()
    behavior_score_components = serializers.DictField()
    purchase_history = serializers.DictField(help_text="주문 수, 지출, 평균 주문액, 최근 구매, 구매 빈도, 다른 통화")
    favorite_categories = serializers.ListField(child=serializers.DictField())
    browsing_patterns = serializers.DictField()
    engagement = serializers.DictField(help_text="리뷰, 위시리스트, 장바구니 이탈률")
    churn_prediction = serializers.DictField(help_text="이탈 확률과 근거 (학습된 모델)")
    next_best_actions = serializers.ListField(child=serializers.DictField())


class SalesForecastOutput(serializers.Serializer):
    forecast_period = serializers.DictField(
        help_text="start_date, end_date, days, as_of, currency, product_id, category_id"
    )
    historical_data = serializers.ListField(child=serializers.DictField(), help_text="date, actual_sales, order_count")
    forecast = serializers.ListField(child=serializers.DictField(), help_text="날짜별 예측과 90% 구간")
    metrics = serializers.DictField(help_text="예측 합계·일평균·성장률·정확도(백테스트)·모델")
    insights = serializers.ListField(child=serializers.CharField())


@extend_schema(
    summary="샵 대시보드 통계",
    parameters=[
        OpenApiParameter("period", str, enum=list(PERIOD_DAYS)),
        OpenApiParameter("start_date", OpenApiTypes.DATE),
        OpenApiParameter("end_date", OpenApiTypes.DATE),
        _currency_parameter(),
    ],
    examples=[ok_example(examples.DASHBOARD)],
)
class DashboardView(_ShopRead):
    query_serializer = DashboardQuery
    output_serializer = DashboardOutput
    cache_name = "shop-dashboard"

    def cache_params(self, read: Read) -> dict:
        r = read.query["range"]
        return {"period": read.query["period"], "start": r.start, "end": r.end, "currency": read.extra["currency"]}

    def compute(self, read: Read) -> dict:
        return dashboard_stats(
            period=read.query["period"], date_range=read.query["range"], currency=read.extra["currency"]
        )


@extend_schema(summary="사용자 행동 분석", parameters=[_currency_parameter()], examples=[ok_example(examples.BEHAVIOR)])
class UserBehaviorView(CustomerInPath, _ShopRead):
    output_serializer = UserBehaviorOutput
    cache_name = "shop-user-behavior"
    audit_action = AuditLog.Action.VIEW
    customer_kwarg = "user_id"

    def check(self, read: Read) -> None:
        super().check(read)
        read.extra["now"] = timezone.now()

    def cache_scopes(self, read: Read) -> tuple[str, ...]:
        return (f"customer:{read.args['user_id']}", "shop")

    def cache_params(self, read: Read) -> dict:
        # the day and the served model version are part of the key: both change the answer
        return {
            "id": read.args["user_id"],
            "day": local_today(),
            "model": shop_churn_model_id(),
            "currency": read.extra["currency"],
        }

    def compute(self, read: Read) -> dict:
        return user_behavior(customer_id=read.args["user_id"], now=read.extra["now"], currency=read.extra["currency"])


@extend_schema(
    summary="판매 트렌드 예측",
    parameters=[
        OpenApiParameter("days", int),
        OpenApiParameter("product_id", int),
        OpenApiParameter("category_id", int),
        OpenApiParameter("as_of", OpenApiTypes.DATE),
        _currency_parameter(),
    ],
    examples=[ok_example(examples.FORECAST)],
)
class SalesForecastView(_ShopRead):
    query_serializer = ForecastQuery
    output_serializer = SalesForecastOutput
    cache_name = "shop-sales-forecast"

    def validate(self, read: Read) -> dict:
        q = super().validate(read)
        return {
            "days": q["days"],
            "product_id": q.get("product_id"),
            "category_id": q.get("category_id"),
            "as_of": q.get("as_of") or local_today(),
            "currency": read.extra["currency"],
        }

    def cache_params(self, read: Read) -> dict:
        return read.query

    def compute(self, read: Read) -> dict:
        return sales_forecast(**read.query)
