"""Recommendation views of the center (seed 004 §3)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.read import Read, ReadView
from accounts.models import AuditLog
from accounts.principal import principal_of
from core.errors import NotFoundError
from core.idempotency import idempotency_parameter, idempotent
from core.schema import ok_example, ok_response
from customers.api.read import CustomerInPath
from customers.api.schema_docs import FEEDBACK_EXAMPLE, RECOMMENDATIONS_EXAMPLE
from customers.models import FeedbackAction
from customers.selectors.detail import customer_get
from customers.services.feedback import recommendation_feedback_record
from recommendations.errors import RecommendationError
from recommendations.models import IssuedRecommendation

from .selectors import TYPES, customer_recommendations
from .services import recommendations_issue

MAX_COUNT = 20


class RecommendationQuerySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TYPES, required=False)
    count = serializers.IntegerField(min_value=1, max_value=MAX_COUNT, default=5)


class FeedbackSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=FeedbackAction.values)
    feedback_score = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def _issued(customer_id: int, rec_type: str | None, count: int, use_health: bool) -> dict:
    data = customer_recommendations(customer_id=customer_id, rec_type=rec_type, count=count, use_health=use_health)
    data["recommendations"] = recommendations_issue(
        customer_id=customer_id,
        recommendations=data["recommendations"],
        model_version=data["recommendation_metadata"]["model_version"],
    )
    return data


class FeedbackOutput(serializers.Serializer):
    feedback_id = serializers.IntegerField()
    recommendation_id = serializers.CharField()
    type = serializers.ChoiceField(choices=TYPES)
    action = serializers.CharField(help_text=", ".join(FeedbackAction.values))
    feedback_score = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class RecommendationOutput(serializers.Serializer):
    """One recommendation; the fields after ``reason`` depend on ``type``."""

    type = serializers.ChoiceField(choices=TYPES)
    recommendation_id = serializers.CharField(help_text="피드백에 쓰는 안정적인 ID")
    confidence_score = serializers.FloatField()
    reason = serializers.CharField(help_text="건강 목표를 인용하는 이유는 view_health_info 권한자에게만")
    service_type = serializers.CharField(required=False, help_text="type=service")
    service_name = serializers.CharField(required=False, help_text="type=service")
    expected_benefit = serializers.CharField(required=False, help_text="type=service")
    predicted_satisfaction = serializers.FloatField(required=False, help_text="type=service")
    suggested_schedule = serializers.DictField(
        required=False, help_text="type=service: frequency, duration, best_times"
    )
    package_id = serializers.IntegerField(required=False, help_text="type=package")
    package_name = serializers.CharField(required=False, help_text="type=package")
    package_details = serializers.DictField(required=False, help_text="type=package: 구성, 가격, 절약액, 유효 기간")
    personalization = serializers.DictField(required=False, help_text="type=package: 근거와 적합도")
    schedule_name = serializers.CharField(required=False, help_text="type=schedule")
    weekly_plan = serializers.ListField(child=serializers.DictField(), required=False, help_text="type=schedule")


class RecommendationMetadataOutput(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    model_version = serializers.CharField()
    factors_considered = serializers.ListField(child=serializers.CharField())
    peer_customers = serializers.IntegerField()
    history_sessions = serializers.IntegerField()
    excluded_by_feedback = serializers.ListField(child=serializers.CharField(), help_text="type:item (거절한 추천)")


class CustomerRecommendationsOutput(serializers.Serializer):
    recommendations = RecommendationOutput(many=True)
    recommendation_metadata = RecommendationMetadataOutput()


@extend_schema(
    summary="고객 맞춤 추천 (서비스·패키지·시간대)",
    description="이용 이력·만족도·비슷한 고객·피드백으로 고른 서비스, 패키지, 주간 일정 추천. "
    "각 추천의 recommendation_id 로 피드백을 남깁니다. 건강 목표는 건강정보 권한자의 추천에만 반영됩니다.",
    parameters=[
        OpenApiParameter("type", str, enum=list(TYPES), description="추천 종류 (없으면 모두)"),
        OpenApiParameter("count", int, description=f"종류별 추천 수 1–{MAX_COUNT} (기본 5)"),
    ],
    examples=[ok_example(RECOMMENDATIONS_EXAMPLE)],
)
class CustomerRecommendationsView(CustomerInPath, ReadView):
    """``GET /api/v1/customers/{id}/recommendations?type=service|package|schedule&count=N``."""

    query_serializer = RecommendationQuerySerializer
    output_serializer = CustomerRecommendationsOutput
    cache_name = "customer-recommendations"
    audit_action = AuditLog.Action.VIEW

    def parse(self, serializer: RecommendationQuerySerializer) -> dict:
        return {"type": serializer.validated_data.get("type"), "count": serializer.validated_data["count"]}

    def cache_params(self, read: Read) -> dict:
        # Health goals shape scores and ranking, not just the reason: a caller without
        # view_health_info gets (and shares a cache entry with) a result computed without them.
        return {"id": read.args["customer_id"], **read.query, "health": read.principal.can_view_health}

    def compute(self, read: Read) -> dict:
        return _issued(
            read.args["customer_id"], read.query["type"], read.query["count"], read.principal.can_view_health
        )

    def reveal(self, read: Read, data: dict) -> dict:
        recs = []
        for rec in data["recommendations"]:
            public = rec.get("_reason_public")
            out = {k: v for k, v in rec.items() if not k.startswith("_") and k != "item_key"}
            if public is not None and public != rec["reason"]:
                # the full reason quotes the customer's health goals: health information
                if read.principal.can_view_health:
                    read.seen.health.add("health_goals")
                else:
                    out["reason"] = public
            recs.append(out)
        return {"recommendations": recs, "recommendation_metadata": data["recommendation_metadata"]}

    def audit_query(self, read: Read, out: dict) -> dict:
        return {**read.query, "recommendation_ids": [r["recommendation_id"] for r in out["recommendations"]]}


class RecommendationFeedbackView(APIView):
    """``POST /api/v1/customers/{id}/recommendations/{rid}/feedback``."""

    @extend_schema(
        summary="추천 피드백 기록",
        description="제시된 추천에 대한 반응(accepted, rejected, deferred, completed)과 점수 1–5. "
        "거절한 서비스는 다시 추천하지 않습니다. 다른 고객의 추천 id 는 404.",
        request=FeedbackSerializer,
        responses={201: ok_response(FEEDBACK_EXAMPLE, shape=FeedbackOutput)},
        parameters=[idempotency_parameter()],
    )
    @idempotent
    def post(self, request: Request, customer_id: int, recommendation_id: str) -> Response:
        customer = customer_get(customer_id=customer_id)
        issued = IssuedRecommendation.objects.filter(pk=recommendation_id, customer_id=customer.pk).first()
        if issued is None:
            raise NotFoundError(RecommendationError.RECOMMENDATION_NOT_FOUND)
        body = FeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = recommendation_feedback_record(
            actor=principal_of(request),
            customer=customer,
            recommendation_id=issued.pk,
            item_type=issued.rec_type,
            item_key=issued.item_key,
            action=body.validated_data["action"],
            feedback_score=body.validated_data.get("feedback_score"),
            comment=body.validated_data.get("comment", ""),
            request=request,
        )
        return Response(
            {
                "feedback_id": row.pk,
                "recommendation_id": issued.pk,
                "type": issued.rec_type,
                "action": row.action,
                "feedback_score": row.feedback_score,
                "comment": row.comment,
                "created_at": row.created_at,
            },
            status=201,
        )
