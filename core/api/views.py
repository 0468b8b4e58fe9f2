"""Platform endpoints: health, the OpenAPI schema and Swagger UI."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApiError, ErrorCode
from core.health import OK, health_report
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


class SchemaView(SpectacularAPIView):
    """OpenAPI schema (STAFF+). Errors are the JSON envelope, not YAML."""

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return super().handle_exception(exc)


class DocsView(SpectacularSwaggerView):
    """Swagger UI (STAFF+). A browser without a session is sent to the admin login first."""

    def handle_exception(self, exc: Exception) -> Response | HttpResponseRedirect:
        no_token = not self.request.META.get("HTTP_AUTHORIZATION") and not self.request.META.get(
            "HTTP_X_INTERNAL_TOKEN"
        )
        if isinstance(exc, NotAuthenticated) and no_token:
            return redirect_to_login(self.request.get_full_path(), login_url=reverse("admin:login"))
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return super().handle_exception(exc)
