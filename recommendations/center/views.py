"""Recommendation views of the center (seed 004 §3)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AuditLog
from accounts.policy import rule_for
from accounts.principal import principal_of
from core.cache import cached_result
from core.errors import NotFoundError
from core.idempotency import idempotency_parameter, idempotent
from core.schema import ok_response
from customers.api.schema_docs import FEEDBACK_EXAMPLE, RECOMMENDATIONS_EXAMPLE
from customers.api.visibility import Revealed, audit_read
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


class CustomerRecommendationsView(APIView):
    """``GET /api/v1/customers/{id}/recommendations?type=service|package|schedule&count=N``."""

    @extend_schema(
        summary="고객 맞춤 추천 (서비스·패키지·시간대)",
        description="이용 이력·만족도·비슷한 고객·피드백으로 고른 서비스, 패키지, 주간 일정 추천. "
        "각 추천의 recommendation_id 로 피드백을 남깁니다. 건강 목표는 건강정보 권한자의 추천에만 반영됩니다.",
        parameters=[
            OpenApiParameter("type", str, enum=list(TYPES), description="추천 종류 (없으면 모두)"),
            OpenApiParameter("count", int, description=f"종류별 추천 수 1–{MAX_COUNT} (기본 5)"),
        ],
        responses={200: ok_response(RECOMMENDATIONS_EXAMPLE)},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rec_type, count = query.validated_data.get("type"), query.validated_data["count"]
        rule = rule_for(getattr(request.resolver_match, "url_name", None), "GET")
        principal = principal_of(request)
        # Health goals shape scores and ranking, not just the reason: a caller without
        # view_health_info gets (and shares a cache entry with) a result computed without them.
        use_health = principal.can_view_health
        data, hit = cached_result(
            "customer-recommendations",
            scopes=(f"customer:{customer_id}",),
            params={"id": customer_id, "type": rec_type, "count": count, "health": use_health},
            ttl=(rule.cache_seconds if rule else None) or 24 * 3600,
            compute=lambda: _issued(customer_id, rec_type, count, use_health),
        )
        seen = Revealed()
        recs = []
        for rec in data["recommendations"]:
            public = rec.get("_reason_public")
            out = {k: v for k, v in rec.items() if not k.startswith("_") and k != "item_key"}
            if public is not None and public != rec["reason"]:
                # the full reason quotes the customer's health goals: health information
                if principal.can_view_health:
                    seen.health.add("health_goals")
                else:
                    out["reason"] = public
            recs.append(out)
        audit_read(
            request=request,
            action=AuditLog.Action.VIEW,
            customer_ids=[customer_id],
            seen=seen,
            cache_hit=hit,
            query={"type": rec_type, "count": count, "recommendation_ids": [r["recommendation_id"] for r in recs]},
        )
        return Response({"recommendations": recs, "recommendation_metadata": data["recommendation_metadata"]})


class RecommendationFeedbackView(APIView):
    """``POST /api/v1/customers/{id}/recommendations/{rid}/feedback``."""

    @extend_schema(
        summary="추천 피드백 기록",
        description="제시된 추천에 대한 반응(accepted, rejected, deferred, completed)과 점수 1–5. "
        "거절한 서비스는 다시 추천하지 않습니다. 다른 고객의 추천 id 는 404.",
        request=FeedbackSerializer,
        responses={201: ok_response(FEEDBACK_EXAMPLE)},
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
