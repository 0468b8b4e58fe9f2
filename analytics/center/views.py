"""Views of the center's customer analytics (seed 004 §2), declared on the read pipeline
(``accounts.api.read``): validate, compute or read the cache, redact health data per caller,
audit."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers

from accounts.api.read import Read, ReadView
from accounts.models import AuditLog
from core.api.fields import CommaListField
from core.schema import ok_example
from customers.api.read import CustomerInPath
from customers.api.schema_docs import SEGMENT_EXAMPLE

from .segments import customer_segment
from .selectors import PERIODS, SECTIONS, customer_analytics


class AnalyticsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(PERIODS), default="90d")
    metrics = CommaListField(choices=list(SECTIONS), required=False)


class CustomerAnalyticsOutput(serializers.Serializer):
    """The sections asked for in ``metrics`` (all by default); the others are absent."""

    period = serializers.ChoiceField(choices=list(PERIODS))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    visitPattern = serializers.DictField(required=False, help_text="방문 패턴")
    serviceUsage = serializers.DictField(required=False, help_text="서비스별 이용")
    revenueContribution = serializers.DictField(required=False, help_text="매출 기여와 예상 생애 가치")
    healthMetrics = serializers.DictField(
        required=False, allow_null=True, help_text="건강 지표: view_health_info 권한이 없으면 null"
    )
    riskAssessment = serializers.DictField(required=False, help_text="이탈 위험 평가")


class SegmentOutput(serializers.Serializer):
    primary_segment = serializers.CharField()
    secondary_segments = serializers.ListField(child=serializers.CharField())
    segment_labels = serializers.DictField(child=serializers.CharField(), help_text="세그먼트 → 한국어 이름")
    characteristics = serializers.DictField(
        child=serializers.CharField(), help_text="visit_frequency, spending_level, service_diversity, loyalty_level"
    )
    peer_comparison = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text="비슷한 고객군 안의 백분위"
    )
    rfm_scores = serializers.DictField(child=serializers.IntegerField(allow_null=True), help_text="1–5 점")
    figures = serializers.DictField(help_text="근거 수치")
    peer_count = serializers.IntegerField()
    method = serializers.CharField()


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
class CustomerAnalyticsView(CustomerInPath, ReadView):
    """``GET /api/v1/customers/{id}/analytics?period=30d|90d|180d|1y&metrics=a,b``."""

    query_serializer = AnalyticsQuerySerializer
    output_serializer = CustomerAnalyticsOutput
    cache_name = "customer-analytics"
    audit_action = AuditLog.Action.VIEW

    def parse(self, serializer: AnalyticsQuerySerializer) -> dict:
        wanted = serializer.validated_data.get("metrics") or SECTIONS
        return {"period": serializer.validated_data["period"], "metrics": tuple(m for m in SECTIONS if m in wanted)}

    def compute(self, read: Read) -> dict:
        return customer_analytics(customer_id=read.args["customer_id"], **read.query)

    def reveal(self, read: Read, data: dict) -> dict:
        if "healthMetrics" not in data:
            return data
        return read.seen.health_fields(data, read.principal, ("healthMetrics",))

    def audit_query(self, read: Read, out: dict) -> dict:
        return {"period": read.query["period"], "metrics": list(read.query["metrics"])}


@extend_schema(
    summary="고객 세그먼트",
    description="방문·매출·최근성으로 정한 고객 세그먼트와 그 근거, 비슷한 고객군의 수치.",
    examples=[ok_example(SEGMENT_EXAMPLE)],
)
class CustomerSegmentView(ReadView):
    """``GET /api/v1/customers/segments/{id}``."""

    output_serializer = SegmentOutput
    cache_name = "customer-segment"
    audit_action = AuditLog.Action.VIEW

    def compute(self, read: Read) -> dict:
        return customer_segment(customer_id=read.args["customer_id"])

    def audit_query(self, read: Read, out: dict) -> dict:
        return {"view": "segment"}
