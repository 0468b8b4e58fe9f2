"""The API's exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): core's envelope, plus
an audit row for the errors that disclose customer data.

An ``INSUFFICIENT_DATA`` answer about one customer tells its caller something about that
customer (e.g. ``visit_days_in_period: 2``, ``total_visits: 0``): it is a read of customer
data and is audited like one (action ``view``, the customer id, ``query.insufficient_data``
with the details shown, status 400).
"""

from __future__ import annotations

from rest_framework.response import Response

from accounts.models import AuditLog
from core.errors import ErrorCode
from core.exceptions import api_exception_handler

from .audit import audit_log

CUSTOMER_KWARGS = ("customer_id", "user_id")


def audited_exception_handler(exc: BaseException, context: dict) -> Response:
    response = api_exception_handler(exc, context)
    if getattr(exc, "code", None) == ErrorCode.INSUFFICIENT_DATA:
        kwargs = context.get("kwargs") or {}
        ids = [int(kwargs[k]) for k in CUSTOMER_KWARGS if str(kwargs.get(k, "")).isdigit()]
        request = context.get("request")
        if ids and request is not None:
            audit_log(
                action=AuditLog.Action.VIEW,
                request=request,
                customer_ids=ids,
                query={"insufficient_data": True, "details": getattr(exc, "details", {})},
                status_code=response.status_code,
            )
    return response
