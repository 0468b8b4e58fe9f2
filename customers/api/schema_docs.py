"""What Swagger (``/api/docs/``) shows for the customer endpoints: every query parameter, a
Korean summary and description, and a real example of each success response (shapes as
``docs/customer-api.md``; values from the demo data). The envelope hook (core.schema) wraps the
``data`` schemas; the examples here are whole responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from core.idempotency import idempotency_parameter
from customers.models import MembershipLevel, RiskLevel, ServiceType

from .serializers import CustomerDeletedOutput, CustomerDetailOutput, CustomerUpdatedOutput, SessionOutput

Q = OpenApiParameter.QUERY


def _example(data: Any, name: str = "예시") -> OpenApiExample:
    """A whole success response (the envelope around ``data``)."""
    value = {"success": True, "data": data, "timestamp": "2026-11-29T10:00:00Z", "request_id": "req-8c1d2e"}
    return OpenApiExample(name, value=value, response_only=True)


def _ok(data: Any, shape: type[serializers.Serializer], name: str = "예시") -> OpenApiResponse:
    """A write's success response: its ``data`` shape and an example (reads declare theirs as
    ``ReadView.output_serializer``)."""
    return OpenApiResponse(shape, examples=[_example(data, name)])


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
    examples=[_example(DETAIL_EXAMPLE)],
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
        200: _ok(
            {**DETAIL_EXAMPLE, "changed_fields": ["email", "occupation", "preferred_time_slots"]},
            CustomerUpdatedOutput,
        )
    },
)
search_get = extend_schema(
    summary="고객 검색 (seed 004 §4.1)",
    description="이름·연락처·이메일 검색과 서비스·패키지·멤버십·위험도·최근 방문일 필터, 정렬, 쪽 나누기. "
    "결과 행의 개인정보는 역할에 따라 마스킹됩니다.",
    parameters=SEARCH,
    examples=[_example(SEARCH_EXAMPLE)],
)
list_get = extend_schema(
    summary="고객 목록",
    description="검색 없이 정렬·쪽 나누기만 하는 목록 (검색은 /customers/search).",
    parameters=[p for p in SEARCH if p.name in ("sort_by", "order", "page", "size")],
    examples=[_example(SEARCH_EXAMPLE)],
)
list_post = extend_schema(
    summary="고객 등록 (ADMIN)",
    examples=[
        OpenApiExample(
            "새 고객",
            value={"name": "이서우", "phone": "010-3723-1861", "gender": "female", "birth_year": 1992},
            request_only=True,
        )
    ],
    parameters=[idempotency_parameter()],
    responses={201: _ok(DETAIL_EXAMPLE, CustomerDetailOutput)},
)
delete = extend_schema(
    summary="고객 삭제 (ADMIN)",
    description="이용·구매 이력이 없으면 삭제, 있으면 거래 기록을 남기고 개인정보만 익명 처리합니다.",
    responses={200: _ok({"customer_id": 1234, "outcome": "anonymised"}, CustomerDeletedOutput)},
)
sessions_get = extend_schema(
    summary="고객 이용 기록 (최신순)",
    parameters=PAGE,
    examples=[
        _example({"sessions": [SESSION_ROW], "pagination": {"total": 28, "page": 1, "size": 20, "total_pages": 2}})
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
    responses={201: _ok(SESSION_ROW, SessionOutput)},
)
orders_get = extend_schema(
    summary="고객의 쇼핑몰 주문 (최신순)",
    parameters=PAGE,
    examples=[
        _example(
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
