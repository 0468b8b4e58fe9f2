"""Platform endpoints: health, the OpenAPI schema and Swagger UI."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
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
        description="프로세스가 살아 답하는지만 봅니다 (데이터베이스·캐시는 보지 않음; 준비 상태는 /api/v1/health/ready).",
        auth=[],
        responses={200: inline_serializer("Liveness", fields={"status": serializers.ChoiceField(choices=["ok"])})},
    )
    def get(self, request: Request) -> Response:
        return Response({"status": OK})


# The operations anyone may call (no credentials): what the sign-in schema keeps.
def _public_operations(schema: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, operations in schema.get("paths", {}).items():
        kept = {
            method: op
            for method, op in operations.items()
            if isinstance(op, dict) and ("security" not in op or {} in op["security"])
        }
        if kept:
            paths[path] = kept
    return paths


SIGN_IN_NOTE = (
    "**로그인 전 화면입니다: 로그인·상태 확인 API만 보입니다.** 아래 `POST /api/v1/auth/token` 으로"
    " access 토큰을 받아(또는 이미 가진 토큰으로) 오른쪽 위 **Authorize** → `bearerAuth` 에 붙여 넣으면"
    " 전체 API 문서를 다시 읽어 옵니다. 관리자 화면(/admin/)에 로그인한 직원은 처음부터 전체 문서를 봅니다.\n\n"
)


class SchemaView(SpectacularAPIView):
    """OpenAPI schema. STAFF and above (JWT, internal token or an admin session) get all of it;
    a caller without credentials gets the sign-in part only (the public operations and the
    security schemes), so Swagger UI can show **Authorize** and then reload the whole schema
    with the token. Bad or expired credentials are a 401 (Swagger UI then falls back to the
    sign-in part). Errors are the JSON envelope, not YAML."""

    sign_in_only = False

    def permission_denied(self, request: Request, message: str | None = None, code: str | None = None) -> None:
        # No credentials at all: not a refusal but the sign-in part. Anyone below the route's
        # least role with credentials is refused as everywhere (accounts/policy.py: "schema").
        if request.successful_authenticator is None:
            self.sign_in_only = True
            return
        super().permission_denied(request, message=message, code=code)

    @extend_schema(exclude=True)  # the schema does not describe itself
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.sign_in_only:
            return self._sign_in_schema(request)
        return super().get(request, *args, **kwargs)

    def _sign_in_schema(self, request: Request) -> Response:
        response = super().get(request)
        schema = response.data
        schema["paths"] = _public_operations(schema)
        schema["info"] = {**schema["info"], "description": SIGN_IN_NOTE + schema["info"].get("description", "")}
        # only the schemas the public operations refer to (no hint of the rest of the API)
        schema["components"] = {
            "securitySchemes": schema.get("components", {}).get("securitySchemes", {}),
            "schemas": _referenced_schemas(schema),
        }
        schema.pop("tags", None)
        response["Cache-Control"] = "no-store"
        return response

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return super().handle_exception(exc)


def _referenced_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """The component schemas reachable from ``schema["paths"]`` (following ``$ref`` chains)."""
    every = schema.get("components", {}).get("schemas", {})
    kept: dict[str, Any] = {}
    pending = [schema["paths"]]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in kept and name in every:
                    kept[name] = every[name]
                    pending.append(every[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return kept


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI. The page and its start-up script hold no data, so anyone may open them: a
    manager with only a token opens it, presses **Authorize** and Swagger UI reloads the schema
    with the token (drf-spectacular's script sends it on the schema request); a browser logged
    into the admin gets the whole schema at once by its session. What the schema shows is
    decided by :class:`SchemaView`.

    The "split" view: its start-up script is a separate file (``?script``), so the Content
    Security Policy needs no inline scripts (core/security_headers.py)."""

    def get_authenticators(self) -> list:
        # The page is the same for everyone: no credential is read, so a stale token in a
        # header cannot keep it from opening. ``authentication_classes`` stay: they name the
        # schemes the start-up script may send with the schema request.
        return []

    def _get_schema_auth_names(self) -> list[str]:
        # drf-spectacular's script sends the authorised token with the schema request only for
        # the schemes named here, and names none while SERVE_PUBLIC is on (ours is: the whole
        # schema is one document for every STAFF+ caller, not filtered per caller).
        from drf_spectacular.extensions import OpenApiAuthenticationExtension

        matches = (OpenApiAuthenticationExtension.get_match(klass) for klass in self.authentication_classes)
        return [match.name for match in matches if match]
