"""What Swagger (``/api/docs/``) shows for the customer endpoints: every query parameter, a
Korean summary and description, and a real example of each success response (shapes as
``docs/customer-api.md``; values from the demo data). The envelope hook (core.schema) wraps the
``data`` schemas; the examples here are whole responses."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema

from core.idempotency import idempotency_parameter
from core.schema import ok_example, ok_response
from customers.models import MembershipLevel, RiskLevel, ServiceType

from .serializers import CustomerDeletedOutput, CustomerDetailOutput, CustomerUpdatedOutput, SessionOutput

Q = OpenApiParameter.QUERY


PAGE = [
    OpenApiParameter("page", int, Q, description="쪽 번호 (1부터)", examples=[OpenApiExample("첫 쪽", value=1)]),
    OpenApiParameter(
        "size",
        int,
        Q,
        description="쪽 크기 1–100 (기본 20, 100보다 크면 100)",
        examples=[OpenApiExample("20건", value=20)],
    ),
]
SEARCH = [
    OpenApiParameter(
        "q",
        str,
        Q,
        description="이름·이메일·전화번호 (일부). 숫자 위주면 하이픈 없이도 전화번호와 비교합니다: 01012345678, 1234-5678",
        examples=[OpenApiExample("전화번호 일부", value="3723-1861"), OpenApiExample("이름", value="김영희")],
    ),
    OpenApiParameter(
        "service_filter",
        str,
        Q,
        description="쉼표로 구분한 서비스 코드 (하나라도 이용했거나 잔여가 있는 고객): "
        + ", ".join(ServiceType.values),
        examples=[OpenApiExample("브레인·펄스", value="brain,pulse")],
    ),
    OpenApiParameter(
        "package_status",
        str,
        Q,
        enum=["active", "expiring", "expired"],
        description="패키지 상태 (expiring = 14일 이내 만료)",
    ),
    OpenApiParameter("membership_level", str, Q, enum=list(MembershipLevel.values), description="멤버십 등급"),
    OpenApiParameter("risk_level", str, Q, enum=list(RiskLevel.values), description="이탈 위험도"),
    OpenApiParameter("last_visit_from", OpenApiTypes.DATE, Q, description="최근 방문일 시작 (포함)"),
    OpenApiParameter("last_visit_to", OpenApiTypes.DATE, Q, description="최근 방문일 끝 (포함)"),
    OpenApiParameter(
        "sort_by",
        str,
        Q,
        description="name · last_visit · total_visits · revenue, 앞에 -를 붙이면 내림차순 (기본 -last_visit)",
        examples=[OpenApiExample("매출 많은 순", value="-revenue")],
    ),
    OpenApiParameter("order", str, Q, enum=["asc", "desc"], description="정렬 방향 (sort_by 의 - 대신)"),
    *PAGE,
]
CUSTOMER_ROW = {
    "customer_id": 1234,
    "name": "김*희",
    "phone": "010-****-5678",
    "first_visit_date": "2026-03-15",
    "last_visit_date": "2026-11-20",
    "total_visits": 28,
    "active_package": "프리미엄 통합 패키지",
    "package_usage_summary": "브5/10 펄3/10",
    "membership_level": "premium",
    "risk_level": "stable",
    "total_revenue": 1305000,
}
SEARCH_EXAMPLE = {
    "customers": [CUSTOMER_ROW],
    "pagination": {"total": 1, "page": 1, "size": 20, "total_pages": 1},
    "filters_applied": {"q": "010-****-5678"},
}
DETAIL_EXAMPLE = {
    "customer": {
        "customer_id": 1234,
        "name": "김*희",
        "phone": "010-****-5678",
        "email": "y*******@example.kr",
        "birth_year": 1985,
        "gender": "female",
        "membership_level": "premium",
        "customer_status": "active",
        "first_visit_date": "2026-03-15",
        "last_visit_date": "2026-11-20",
        "total_visits": 28,
        "total_revenue": 1305000,
        "average_visit_interval": 9,
        "risk_level": "stable",
    },
    "serviceHistory": [
        {
            "session_id": 88001,
            "service_date": "2026-11-20",
            "start_time": "14:00",
            "service_type": "brain",
            "service_name": "브레인 피드백",
            "duration_minutes": 50,
            "satisfaction_rating": 5,
            "staff_name": "박지은",
            "package_name": "프리미엄 통합 패키지",
        }
    ],
    "serviceHistoryTotal": 28,
    "serviceHistoryLimit": 20,
    "activePackages": [
        {
            "package_usage_id": 5678,
            "package_name": "프리미엄 통합 패키지",
            "purchase_date": "2026-09-01",
            "expiry_date": "2027-03-01",
            "total_sessions": 20,
            "used_sessions": 8,
            "remaining_sessions": 12,
            "usage_rate": 40.0,
            "days_remaining": 92,
            "service_breakdown": {"brain": {"used": 5, "total": 10}, "pulse": {"used": 3, "total": 10}},
        }
    ],
    "preferences": {"preferred_services": ["brain", "pulse"], "preferred_time": "afternoon"},
}
SESSION_ROW = DETAIL_EXAMPLE["serviceHistory"][0]

detail_get = extend_schema(
    summary="고객 상세 (seed 004 §1.1)",
    description="고객 정보, 최근 이용 이력(history_limit 건), 사용 중인 패키지와 잔여 횟수, 선호 정보. "
    "개인정보는 역할에 따라 마스킹되고, 조회는 감사 로그에 남습니다.",
    parameters=[
        OpenApiParameter(
            "history_limit",
            int,
            Q,
            description="이용 이력 건수 1–100 (기본 20)",
            examples=[OpenApiExample("20건", value=20)],
        )
    ],
    examples=[ok_example(DETAIL_EXAMPLE)],
)
detail_update = extend_schema(
    summary="고객 정보 수정 (ADMIN)",
    description="보낸 항목만 바꿉니다 (PUT도 부분 수정). 파생 수치와 모르는 항목은 400, 오류가 있으면 아무것도 "
    "저장하지 않습니다. 응답은 수정된 상세와 changed_fields.",
    examples=[
        OpenApiExample(
            "연락처와 선호 시간 변경",
            value={
                "email": "newemail@example.com",
                "occupation": "프리랜서",
                "preferred_time_slots": ["evening", "weekend"],
            },
            request_only=True,
        )
    ],
    responses={
        200: ok_response(
            {**DETAIL_EXAMPLE, "changed_fields": ["email", "occupation", "preferred_time_slots"]},
            shape=CustomerUpdatedOutput,
        )
    },
)
search_get = extend_schema(
    summary="고객 검색 (seed 004 §4.1)",
    description="이름·연락처·이메일 검색과 서비스·패키지·멤버십·위험도·최근 방문일 필터, 정렬, 쪽 나누기. "
    "결과 행의 개인정보는 역할에 따라 마스킹됩니다.",
    parameters=SEARCH,
    examples=[ok_example(SEARCH_EXAMPLE)],
)
list_get = extend_schema(
    summary="고객 목록",
    description="검색 없이 정렬·쪽 나누기만 하는 목록 (검색은 /customers/search).",
    parameters=[p for p in SEARCH if p.name in ("sort_by", "order", "page", "size")],
    examples=[ok_example(SEARCH_EXAMPLE)],
)
list_post = extend_schema(
    summary="고객 등록 (ADMIN)",
    description="새 고객을 만듭니다 (고객 상세의 항목과 선택 항목 preferences). 모르는 항목·파생 수치는 400, "
    "기본 외 멤버십 등급은 ADMIN만. `Idempotency-Key` 로 재시도해도 한 번만 만듭니다.",
    examples=[
        OpenApiExample(
            "새 고객",
            value={"name": "홍길동", "phone": "010-0000-1234", "gender": "female", "birth_year": 1992},
            request_only=True,
        )
    ],
    parameters=[idempotency_parameter()],
    responses={201: ok_response(DETAIL_EXAMPLE, shape=CustomerDetailOutput)},
)
delete = extend_schema(
    summary="고객 삭제 (ADMIN)",
    description="이용·구매 이력이 없으면 삭제, 있으면 거래 기록을 남기고 개인정보만 익명 처리합니다.",
    responses={200: ok_response({"customer_id": 1234, "outcome": "anonymised"}, shape=CustomerDeletedOutput)},
)
sessions_get = extend_schema(
    summary="고객 이용 기록 (최신순)",
    description="고객의 센터 이용 기록을 최신순으로, 쪽 나누기로 보여 줍니다. 메모(session_notes)는 건강정보 권한자만 보입니다.",
    parameters=PAGE,
    examples=[
        ok_example({"sessions": [SESSION_ROW], "pagination": {"total": 28, "page": 1, "size": 20, "total_pages": 2}})
    ],
)
sessions_post = extend_schema(
    summary="이용 기록 (패키지 1회 차감)",
    description="purchase 를 비우면 이 서비스가 든 패키지 중 만료가 가장 빠른 것에서 1회 차감합니다. "
    "redeem=false 는 패키지 차감 없이 기록 (이때 purchase 를 함께 보내면 400). 만료·잔여 없음·다른 고객의 패키지는 거부됩니다.",
    examples=[
        OpenApiExample(
            "오늘 브레인 피드백",
            value={"service": "brain", "start_time": "14:00", "satisfaction_rating": 5},
            request_only=True,
        )
    ],
    parameters=[idempotency_parameter()],
    responses={201: ok_response(SESSION_ROW, shape=SessionOutput)},
)
orders_get = extend_schema(
    summary="고객의 쇼핑몰 주문 (최신순)",
    description="같은 고객의 K-푸드 쇼핑몰 주문을 최신순으로 보여 줍니다 (금액은 주문 통화, items 는 주문 항목 목록).",
    parameters=PAGE,
    examples=[
        ok_example(
            {
                "orders": [
                    {
                        "order_id": 4411,
                        "status": "DELIVERED",
                        "total": 34300.0,
                        "currency": "KRW",
                        "created_at": "2026-11-02T10:15:00+09:00",
                        "items": [
                            {
                                "product_id": 17,
                                "product_name": "유기농 현미 누룽지",
                                "quantity": 2,
                                "unit_price": 17150.0,
                                "subtotal": 34300.0,
                            }
                        ],
                    }
                ],
                "pagination": {"total": 1, "page": 1, "size": 20, "total_pages": 1},
            }
        )
    ],
)

# Real answers of the demo-like test data (recommendations/tests, analytics/tests/center).
RECOMMENDATIONS_EXAMPLE = {
    "recommendations": [
        {
            "type": "service",
            "recommendation_id": "rec_53362a8cf198b914",
            "service_type": "ai_bike",
            "service_name": "AI 바이크",
            "confidence_score": 0.533,
            "reason": "미이용 서비스 중 비슷한 고객의 만족도가 높음 (브레인 피드백 이용 고객 30명의 평균 만족도 5.0점)",
            "expected_benefit": "체중 관리, 심폐 지구력, 활력",
            "predicted_satisfaction": 4.67,
            "suggested_schedule": {
                "frequency": "주 1회",
                "duration": "30분",
                "best_times": ["목요일 오전", "월요일 오전"],
            },
        },
        {
            "type": "package",
            "recommendation_id": "rec_b59418e78629ba15",
            "package_id": 1,
            "package_name": "브레인 집중",
            "confidence_score": 0.986,
            "reason": "현재 이용 패턴에 최적화된 구성",
            "package_details": {
                "brain": 10,
                "pulse": 5,
                "total_sessions": 15,
                "price": 500000,
                "list_price": 700000,
                "savings": 200000,
                "validity_days": 180,
            },
            "personalization": {
                "based_on": "최근 90일 이용 패턴 (세션 16회)",
                "optimization": "만족도 가중 이용 비율과 패키지 구성의 코사인 유사도 최대화",
                "usage_fit": 0.983,
                "coverage": 1.0,
                "estimated_months_to_use": 2.8,
            },
        },
        {
            "type": "schedule",
            "recommendation_id": "rec_5eefb177422f1120",
            "schedule_name": "주간 최적 스케줄",
            "confidence_score": 1.0,
            "reason": "최근 이용 16회의 요일·시간대 패턴 기반 주 2회 일정",
            "weekly_plan": [
                {
                    "day": "Monday",
                    "time": "10:00",
                    "service": "brain",
                    "duration": 40,
                    "reason": "월요일 방문 8회로 자주 오시는 요일",
                },
                {
                    "day": "Thursday",
                    "time": "10:00",
                    "service": "pulse",
                    "duration": 30,
                    "reason": "목요일 방문 8회로 자주 오시는 요일",
                },
            ],
        },
    ],
    "recommendation_metadata": {
        "generated_at": "2026-11-29T10:00:00Z",
        "model_version": "item-knn-adjusted-cosine-1.0@2026-11-29",
        "factors_considered": [
            "service_history",
            "satisfaction_ratings",
            "health_goals",
            "peer_patterns",
            "recent_usage",
            "feedback",
        ],
        "peer_customers": 41,
        "history_sessions": 16,
        "excluded_by_feedback": [],
    },
}
FEEDBACK_EXAMPLE = {
    "feedback_id": 1,
    "recommendation_id": "rec_53362a8cf198b914",
    "type": "service",
    "action": "accepted",
    "feedback_score": 5,
    "comment": "추천이 매우 도움이 되었습니다",
    "created_at": "2026-11-29T10:00:00Z",
}
SEGMENT_EXAMPLE = {
    "primary_segment": "health_enthusiast",
    "secondary_segments": ["high_value", "regular_visitor", "satisfied_advocate"],
    "segment_labels": {
        "health_enthusiast": "건강 관리 열성 고객",
        "high_value": "고가치 고객",
        "regular_visitor": "정기 방문 고객",
        "satisfied_advocate": "높은 만족 고객",
    },
    "characteristics": {
        "visit_frequency": "high",
        "spending_level": "premium",
        "service_diversity": "high",
        "loyalty_level": "strong",
    },
    "peer_comparison": {
        "visit_frequency_percentile": 100,
        "spending_percentile": 100,
        "satisfaction_percentile": 100,
        "recency_percentile": 100,
    },
    "rfm_scores": {"recency": 5, "frequency": 5, "monetary": 5, "satisfaction": 5},
    "figures": {
        "visits_per_month": 6.0,
        "total_revenue": 5000000,
        "average_satisfaction": 4.9,
        "days_since_last_visit": 3,
        "services_used": 4,
        "tenure_days": 200,
    },
    "peer_count": 11,
    "method": "RFM 5분위: 최근성·빈도(30일당 방문)·금액(누적 매출)의 고객 전체 대비 백분위를 1~5점으로 환산 (1 + ⌊백분위/20⌋, 최근성은 100−백분위), 이용 서비스 종류 수와 이용 기간을 더한 규칙으로 세그먼트 결정",
}
