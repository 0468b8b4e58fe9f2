"""Error codes of the ETL sync and the product search (Korean default messages)."""

from __future__ import annotations

from core.errors import ErrorCodeEnum


class EtlErrorCode(ErrorCodeEnum):
    SYNC_IN_PROGRESS = "SYNC_IN_PROGRESS", "같은 대상의 동기화가 이미 진행 중입니다"
    ETL_JOB_NOT_FOUND = "ETL_JOB_NOT_FOUND", "동기화 작업을 찾을 수 없습니다"
    SEARCH_UNAVAILABLE = "SEARCH_UNAVAILABLE", "검색 서버에 연결할 수 없습니다"
