"""Platform endpoints: health."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApiError, ErrorCode
from core.health import OK, health_report

_check = inline_serializer(
    "HealthCheck",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "down"]),
        "latency_ms": serializers.FloatField(),
    },
)


class HealthView(APIView):
    # Load balancers call this without credentials; a bad header must not turn it into a 401.
    authentication_classes: list = []

    @extend_schema(
        tags=["platform"],
        summary="상태 확인 (데이터베이스, 캐시, 작업 엔진)",
        auth=[],
        responses={
            200: inline_serializer(
                "Health",
                fields={
                    "status": serializers.ChoiceField(choices=["ok", "down"]),
                    "checks": inline_serializer(
                        "HealthChecks", fields={"database": _check, "cache": _check, "jobs": _check}
                    ),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        report = health_report()
        if report["status"] != OK:
            raise ApiError(ErrorCode.SERVICE_UNAVAILABLE, status=503, details=report)
        return Response(report)
