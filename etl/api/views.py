"""ETL endpoints (seed 000 §7) and the product search on the synced index. Thin: validate,
call a service or selector. Access and rate scope come from accounts/policy.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.read import Read, ReadView
from accounts.principal import principal_of
from core.errors import ValidationFailed
from core.idempotency import idempotency_parameter, idempotent
from core.pagination import PaginationSerializer
from core.schema import ok_example, ok_response
from etl.api import schema_examples as examples
from etl.models import Entity, Mode, Target
from etl.selectors import product_search, sync_run_status
from etl.services.sync import etl_sync_start
from etl.targets.embedded_search import SORT_FIELDS

MAX_WINDOW = 10_000  # page × size, as Elasticsearch's max_result_window


class SyncRequest(serializers.Serializer):
    source = serializers.CharField(required=False, help_text="원본 DB: postgresql (내장 기본값은 sqlite)")
    target = serializers.CharField(required=False, help_text=f"{', '.join(Target.values)} (생략 시 설정된 기본값)")
    entity = serializers.CharField(help_text=", ".join(Entity.values))
    mode = serializers.CharField(required=False, help_text=", ".join(Mode.values))


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    category_id = serializers.IntegerField(required=False, min_value=1)
    min_price = serializers.FloatField(required=False, min_value=0)
    max_price = serializers.FloatField(required=False, min_value=0)
    sort = serializers.ChoiceField(choices=list(SORT_FIELDS), required=False, default="relevance")
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)

    def validate(self, attrs: dict) -> dict:
        lo, hi = attrs.get("min_price"), attrs.get("max_price")
        if lo is not None and hi is not None and lo > hi:
            raise serializers.ValidationError({"min_price": ["최소 가격은 최대 가격보다 클 수 없습니다"]})
        if attrs["page"] * attrs["size"] > MAX_WINDOW:
            raise serializers.ValidationError({"page": [f"page × size 는 {MAX_WINDOW} 이하여야 합니다"]})
        attrs["q"] = attrs["q"].strip()
        return attrs


class SyncStartedOutput(serializers.Serializer):
    job_id = serializers.CharField(help_text="GET /api/v1/etl/jobs/{job_id} 로 진행 확인")
    status = serializers.ChoiceField(choices=["started"])
    records_to_sync = serializers.IntegerField(allow_null=True)
    entity = serializers.ChoiceField(choices=Entity.values)
    target = serializers.ChoiceField(choices=Target.values)
    mode = serializers.ChoiceField(choices=Mode.values)


class SyncView(APIView):
    """``POST /api/v1/etl/sync``: start a sync job (202 with its ``job_id``)."""

    @extend_schema(
        summary="검색 색인 동기화 시작",
        description="상품·주문을 검색 색인으로 보내는 작업을 시작하고 곧바로 202 와 job_id 를 돌려줍니다 "
        "(진행은 GET /api/v1/etl/jobs/{job_id}). 이미 도는 동기화가 있으면 409 SYNC_IN_PROGRESS.",
        request=SyncRequest,
        responses={
            202: ok_response(
                examples.SYNC_STARTED, description="작업 시작: job_id, status, records_to_sync", shape=SyncStartedOutput
            ),
        },
        examples=[
            OpenApiExample(
                "증분 동기화",
                value={"source": "postgresql", "target": "elasticsearch", "entity": "products", "mode": "incremental"},
                request_only=True,
            )
        ],
        parameters=[idempotency_parameter()],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationFailed(message="요청 본문은 JSON 객체여야 합니다")
        data = request.data
        for field in ("source", "target", "entity", "mode"):
            if field in data and not isinstance(data[field], str):
                raise ValidationFailed(message=f"{field} 는 문자열이어야 합니다", details={field: data[field]})
        run = etl_sync_start(
            actor=principal_of(request),
            entity=data.get("entity"),
            mode=data.get("mode"),
            target=data.get("target"),
            source=data.get("source"),
            request=request,
        )
        return Response(
            {
                "job_id": run.code,
                "status": "started",
                "records_to_sync": run.records_to_sync,
                "entity": run.entity,
                "target": run.target,
                "mode": run.mode,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class SyncJobOutput(serializers.Serializer):
    job_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "completed", "failed"])
    progress = serializers.IntegerField(help_text="0–100")
    source = serializers.CharField()
    target = serializers.ChoiceField(choices=Target.values)
    entity = serializers.ChoiceField(choices=Entity.values)
    mode = serializers.ChoiceField(choices=Mode.values)
    records_to_sync = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="indexed, deleted, failed …")
    cursor_before = serializers.JSONField(allow_null=True)
    cursor_after = serializers.JSONField(allow_null=True)
    failures = serializers.ListField(child=serializers.DictField())
    error = serializers.CharField(allow_null=True)
    result = serializers.DictField()
    duration_seconds = serializers.FloatField(allow_null=True)
    finished = serializers.BooleanField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ProductSearchOutput(serializers.Serializer):
    products = serializers.ListField(child=serializers.DictField(), help_text="색인된 상품 문서 (docs/etl.md)")
    pagination = PaginationSerializer()
    query = serializers.DictField(help_text="q, category_id, min_price, max_price, sort")
    matched = serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="일치한 검색 형태소")
    indexed_at = serializers.DateTimeField(allow_null=True)
    index = serializers.DictField(allow_null=True, help_text="target, name, document_count (색인이 없으면 null)")


@extend_schema(
    summary="동기화 작업 상태",
    description="상태(queued, running, completed, failed), 진행률, 건수, 커서, 실패 내역, 걸린 시간.",
    examples=[ok_example(examples.JOB)],
)
class SyncJobView(ReadView):
    """``GET /api/v1/etl/jobs/{job_id}``: status, progress, counts, cursors, failures, duration."""

    output_serializer = SyncJobOutput
    customer_kwarg = None

    def compute(self, read: Read) -> dict:
        return sync_run_status(job_id=read.args["job_id"])


@extend_schema(
    summary="상품 검색 (동기화된 검색 색인)",
    description="한국어 형태소와 음절 bigram 으로 상품명·설명을 찾고 카테고리·가격으로 거릅니다 (동기화된 색인 기준).",
    parameters=[
        OpenApiParameter("q", str, description="검색어 (형태소 + 음절 bigram)"),
        OpenApiParameter("category_id", int),
        OpenApiParameter("min_price", float),
        OpenApiParameter("max_price", float),
        OpenApiParameter("sort", str, enum=list(SORT_FIELDS)),
        OpenApiParameter("page", int),
        OpenApiParameter("size", int, description="1–100, 기본 20"),
    ],
    examples=[ok_example(examples.PRODUCT_SEARCH)],
)
class ProductSearchView(ReadView):
    """``GET /api/v1/products/search``: Korean-aware product search on the synced index."""

    query_serializer = SearchQuery
    output_serializer = ProductSearchOutput
    customer_kwarg = None

    def compute(self, read: Read) -> dict:
        return product_search(params=dict(read.query))
