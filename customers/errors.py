"""Error codes of the center (the API envelope's ``error.code``), with Korean default messages."""

from __future__ import annotations

from core.errors import ErrorCodeEnum


class CenterError(ErrorCodeEnum):
    PACKAGE_EXPIRED = "PACKAGE_EXPIRED", "유효 기간이 지난 패키지입니다"
    PACKAGE_NOT_STARTED = "PACKAGE_NOT_STARTED", "패키지 구매일 이전의 이용은 패키지로 기록할 수 없습니다"
    PACKAGE_NOT_OWNED = "PACKAGE_NOT_OWNED", "다른 고객의 패키지입니다"
    PACKAGE_NOT_ACTIVE = "PACKAGE_NOT_ACTIVE", "사용 중인 패키지가 아닙니다"
    PACKAGE_NOT_FOR_SALE = "PACKAGE_NOT_FOR_SALE", "판매가 중지된 패키지입니다"
    SERVICE_NOT_IN_PACKAGE = "SERVICE_NOT_IN_PACKAGE", "패키지에 포함되지 않은 서비스입니다"
    NO_SESSIONS_LEFT = "NO_SESSIONS_LEFT", "패키지의 잔여 횟수가 없습니다"
    SESSION_DATE_IN_FUTURE = "SESSION_DATE_IN_FUTURE", "아직 오지 않은 날짜의 이용은 기록할 수 없습니다"
    SESSION_DATE_TOO_OLD = "SESSION_DATE_TOO_OLD", "기록 가능 기간 이전 날짜의 이용은 기록할 수 없습니다"
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND", "이미 취소되었거나 없는 이용 기록입니다"
    STAFF_NOT_SELF = "STAFF_NOT_SELF", "직원은 본인이 진행한 이용만 기록할 수 있습니다"
    SERVICE_INACTIVE = "SERVICE_INACTIVE", "제공이 중지된 서비스입니다"
    SESSION_CORRECTION_FORBIDDEN = "SESSION_CORRECTION_FORBIDDEN", "이용 기록 정정·취소는 매니저 이상만 할 수 있습니다"
    MEMBERSHIP_CHANGE_FORBIDDEN = "MEMBERSHIP_CHANGE_FORBIDDEN", "멤버십 등급은 관리자(ADMIN)만 바꿀 수 있습니다"
