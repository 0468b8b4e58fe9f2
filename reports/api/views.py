"""Reports endpoints (seed 000 §6). Thin: validate, call the service/selector, shape the answer.
Access comes from accounts/policy.py (MANAGER); object access from ``reports_visible_to``."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.read import Read, ReadView
from accounts.principal import principal_of

from ..selectors.reports import estimated_completion, report_get_for, report_status, report_to_dict
from ..services.reports import ReportRequest, report_open_for_download, report_request
from .serializers import ReportDetailSerializer, SalesMonthlyAcceptedSerializer, SalesMonthlyRequestSerializer


class SalesMonthlyReportView(APIView):
    @extend_schema(
        summary="월간 매출 리포트 생성 요청",
        request=SalesMonthlyRequestSerializer,
        responses={
            202: SalesMonthlyAcceptedSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = SalesMonthlyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, _created = report_request(
            actor=principal_of(request), req=ReportRequest(**serializer.validated_data), request=request
        )
        report.job.refresh_from_db()
        data = {
            "report_id": report.report_id,
            "status": report_status(report),
            "estimated_completion": estimated_completion(report),
        }
        return Response(data, status=202)


@extend_schema(summary="리포트 상태 조회")
class ReportDetailView(ReadView):
    output_serializer = ReportDetailSerializer
    customer_kwarg = None

    def compute(self, read: Read) -> dict:
        report = report_get_for(principal=read.principal, report_id=read.args["report_id"])
        return report_to_dict(report, request=read.request)


def content_disposition(filename: str, fallback: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII ``filename`` for old clients and the UTF-8 ``filename*``."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class ReportDownloadView(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False):
        # the file answers any Accept header; errors still come back as the JSON envelope
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="리포트 파일 내려받기",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            410: OpenApiResponse(response=OpenApiTypes.OBJECT, description="보관 기간이 지나 삭제됨 (REPORT_EXPIRED)"),
        },
    )
    def get(self, request: Request, report_id: str) -> FileResponse:
        principal = principal_of(request)
        report = report_get_for(principal=principal, report_id=report_id)
        handle = report_open_for_download(principal=principal, report=report, request=request)
        response = FileResponse(handle, content_type=report.content_type)
        response["Content-Disposition"] = content_disposition(
            report.download_filename, f"{report.year}-{report.month:02d}_sales_report.{report.format}"
        )
        if report.file_size:
            response["Content-Length"] = str(report.file_size)
        response["Cache-Control"] = "private, no-store"
        return response
