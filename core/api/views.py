"""Platform endpoints: health, the OpenAPI schema and Swagger UI."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ServiceUnavailable
from core.health import DOWN, OK, health_report
from core.renderers import EnvelopeJSONRenderer

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
        summary="준비 상태 확인 (데이터베이스 필수; 캐시·작업 엔진 장애는 degraded 200)",
        auth=[],
        responses={
            200: inline_serializer(
                "Health",
                fields={
                    "status": serializers.ChoiceField(choices=["ok", "degraded"]),
                    "checks": inline_serializer(
                        "HealthChecks", fields={"database": _check, "cache": _check, "jobs": _check}
                    ),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        report = health_report()
        if report["status"] == DOWN:
            raise ServiceUnavailable(details=report)
        return Response(report)


class LivenessView(APIView):
    """The process is up and answering (no dependency touched)."""

    authentication_classes: list = []

    @extend_schema(
        tags=["platform"],
        summary="생존 확인 (프로세스만, 의존 서비스는 보지 않음)",
        auth=[],
        responses={200: inline_serializer("Liveness", fields={"status": serializers.ChoiceField(choices=["ok"])})},
    )
    def get(self, request: Request) -> Response:
        return Response({"status": OK})


class SchemaView(SpectacularAPIView):
    """OpenAPI schema (STAFF+). Errors are the JSON envelope, not YAML."""

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return super().handle_exception(exc)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI (STAFF+). A browser without a session is sent to the admin login first.

    The "split" view: its start-up script is a separate file (``?script``), so the Content
    Security Policy needs no inline scripts (core/security_headers.py)."""

    def handle_exception(self, exc: Exception) -> Response | HttpResponseRedirect:
        no_token = not self.request.META.get("HTTP_AUTHORIZATION") and not self.request.META.get(
            "HTTP_X_INTERNAL_TOKEN"
        )
        if isinstance(exc, NotAuthenticated) and no_token:
            return redirect_to_login(self.request.get_full_path(), login_url=reverse("admin:login"))
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return super().handle_exception(exc)
