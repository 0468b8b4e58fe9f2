"""Shop analytics endpoints (seed 000 §2). Thin: validate the query, read through the cache,
audit customer reads. Access, rate scope and cache time come from accounts/policy.py."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.policy import rule_for
from commerce.currency import currency_choices, currency_resolve
from core.cache import cached_result
from core.schema import ok_response
from ml.churn_shop import shop_churn_model_id

from . import schema_examples as examples
from .selectors.behavior import user_behavior
from .selectors.dashboard import dashboard_stats
from .selectors.forecast import MAX_FORECAST_DAYS, sales_forecast
from .selectors.periods import MAX_RANGE_DAYS, PERIOD_DAYS, local_today, resolve_range

DATE_FORMATS = ["%Y-%m-%d"]


def _ttl(route: str) -> int:
    rule = rule_for(route, "GET")
    return (rule.cache_seconds if rule else None) or 3600


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


def _currency(request: Request) -> str:
    """``?currency=`` or the shop's currency; an unknown code is VALIDATION_ERROR naming the choices."""
    return currency_resolve(request.query_params.get("currency"))


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DashboardView(APIView):
    @extend_schema(
        summary="샵 대시보드 통계",
        parameters=[
            OpenApiParameter("period", str, enum=list(PERIOD_DAYS)),
            OpenApiParameter("start_date", OpenApiTypes.DATE),
            OpenApiParameter("end_date", OpenApiTypes.DATE),
            _currency_parameter(),
        ],
        responses={200: ok_response(examples.DASHBOARD)},
    )
    def get(self, request: Request) -> Response:
        currency = _currency(request)
        q = _query(DashboardQuery, request)
        r = q["range"]
        data, _hit = cached_result(
            "shop-dashboard",
            scopes=("shop",),
            params={"period": q["period"], "start": r.start, "end": r.end, "currency": currency},
            ttl=_ttl("analytics-dashboard"),
            compute=lambda: dashboard_stats(period=q["period"], date_range=r, currency=currency),
        )
        return Response(data)


class UserBehaviorView(APIView):
    @extend_schema(
        summary="사용자 행동 분석", parameters=[_currency_parameter()], responses={200: ok_response(examples.BEHAVIOR)}
    )
    def get(self, request: Request, user_id: int) -> Response:
        currency = _currency(request)
        now = timezone.now()
        data, hit = cached_result(
            "shop-user-behavior",
            scopes=(f"customer:{user_id}", "shop"),
            # the day and the served model version are part of the key: both change the answer
            params={"id": user_id, "day": local_today(), "model": shop_churn_model_id(), "currency": currency},
            ttl=_ttl("analytics-user-behavior"),
            compute=lambda: user_behavior(customer_id=user_id, now=now, currency=currency),
        )
        audit_log(action=AuditLog.Action.VIEW, request=request, customer_ids=[user_id], status_code=200, cache_hit=hit)
        return Response(data)


class SalesForecastView(APIView):
    @extend_schema(
        summary="판매 트렌드 예측",
        parameters=[
            OpenApiParameter("days", int),
            OpenApiParameter("product_id", int),
            OpenApiParameter("category_id", int),
            OpenApiParameter("as_of", OpenApiTypes.DATE),
            _currency_parameter(),
        ],
        responses={200: ok_response(examples.FORECAST)},
    )
    def get(self, request: Request) -> Response:
        currency = _currency(request)
        q = _query(ForecastQuery, request)
        as_of = q.get("as_of") or local_today()
        params = {
            "days": q["days"],
            "product_id": q.get("product_id"),
            "category_id": q.get("category_id"),
            "as_of": as_of,
            "currency": currency,
        }
        data, _hit = cached_result(
            "shop-sales-forecast",
            scopes=("shop",),
            params=params,
            ttl=_ttl("analytics-sales-forecast"),
            compute=lambda: sales_forecast(**params),
        )
        return Response(data)
