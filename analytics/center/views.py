"""Views of the center's customer analytics (seed 004 §2). Thin: validate, compute or read
the cache, redact health data per caller, audit."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AuditLog
from accounts.policy import rule_for
from accounts.principal import principal_of
from core.cache import cached_result
from core.schema import ok_response
from customers.api.schema_docs import SEGMENT_EXAMPLE
from customers.api.serializers import CommaListField
from customers.api.visibility import Revealed, audit_read

from .segments import customer_segment
from .selectors import PERIODS, SECTIONS, customer_analytics


def _ttl(request: Request) -> int:
    rule = rule_for(getattr(request.resolver_match, "url_name", None), "GET")
    return (rule.cache_seconds if rule else None) or 3600


class AnalyticsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(PERIODS), default="90d")
    metrics = CommaListField(choices=list(SECTIONS), required=False)


class CustomerAnalyticsView(APIView):
    """``GET /api/v1/customers/{id}/analytics?period=30d|90d|180d|1y&metrics=a,b``."""

    @extend_schema(
        summary="고객 분석 (seed 004 §2)",
        description="방문 패턴, 서비스 이용, 매출 기여, 건강 지표(건강정보 권한자만), 이탈 위험 평가. "
        "metrics 로 필요한 부분만 고를 수 있습니다.",
        parameters=[
            OpenApiParameter("period", str, enum=list(PERIODS), description="분석 기간 (기본 90d)"),
            OpenApiParameter(
                "metrics",
                str,
                description="쉼표로 구분한 항목: " + ", ".join(SECTIONS) + " (기본 전부)",
                examples=[OpenApiExample("방문과 위험도", value="visitPattern,riskAssessment")],
            ),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                examples=[
                    OpenApiExample(
                        "90일 방문 패턴과 위험도",
                        response_only=True,
                        value={
                            "success": True,
                            "data": {
                                "customer_id": 1234,
                                "period": "90d",
                                "visitPattern": {
                                    "total_visits": 9,
                                    "average_interval_days": 9.8,
                                    "preferred_weekday": "Tuesday",
                                },
                                "riskAssessment": {"risk_level": "stable", "churn_probability": 0.12},
                            },
                        },
                    )
                ],
            )
        },
    )
    def get(self, request: Request, customer_id: int) -> Response:
        query = AnalyticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        metrics = tuple(m for m in SECTIONS if m in (query.validated_data.get("metrics") or SECTIONS))
        data, hit = cached_result(
            "customer-analytics",
            scopes=(f"customer:{customer_id}",),
            params={"id": customer_id, "period": period, "metrics": metrics},
            ttl=_ttl(request),
            compute=lambda: customer_analytics(customer_id=customer_id, period=period, metrics=metrics),
        )
        seen = Revealed()
        out = seen.health_fields(data, principal_of(request), ("healthMetrics",)) if "healthMetrics" in data else data
        audit_read(
            request=request,
            action=AuditLog.Action.VIEW,
            customer_ids=[customer_id],
            seen=seen,
            cache_hit=hit,
            query={"period": period, "metrics": list(metrics)},
        )
        return Response(out)


class CustomerSegmentView(APIView):
    """``GET /api/v1/customers/segments/{id}``."""

    @extend_schema(
        summary="고객 세그먼트",
        description="방문·매출·최근성으로 정한 고객 세그먼트와 그 근거, 비슷한 고객군의 수치.",
        responses={200: ok_response(SEGMENT_EXAMPLE)},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        data, hit = cached_result(
            "customer-segment",
            scopes=(f"customer:{customer_id}",),
            params={"id": customer_id},
            ttl=_ttl(request),
            compute=lambda: customer_segment(customer_id=customer_id),
        )
        audit_read(
            request=request,
            action=AuditLog.Action.VIEW,
            customer_ids=[customer_id],
            cache_hit=hit,
            query={"view": "segment"},
        )
        return Response(data)
