"""Error codes of the reports app (raised through ``core.errors.ApiError``)."""

from __future__ import annotations

from core.errors import ErrorCodeEnum


class ReportError(ErrorCodeEnum):
    REPORT_NOT_FOUND = "REPORT_NOT_FOUND", "리포트를 찾을 수 없습니다"
    REPORT_NOT_READY = "REPORT_NOT_READY", "리포트가 아직 완성되지 않았습니다"
    REPORT_EXPIRED = "REPORT_EXPIRED", "보관 기간이 지나 리포트 파일이 삭제되었습니다"
