"""Test-only read endpoints built on ``accounts.api.read`` (used by test_read_pipeline.py)."""

from __future__ import annotations

from django.urls import include, path
from rest_framework import serializers

from accounts.api.read import BodyReadView, Read, ReadView
from accounts.models import AuditLog
from accounts.policy import Rule
from accounts.roles import Role
from config.urls import urlpatterns as project_urlpatterns
from core.errors import ErrorCode, NotFoundError

COMPUTED: list[dict] = []  # every compute call, so tests can tell a cache hit from a miss
MISSING_CUSTOMER = 404


class CountQuery(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=10)


class ToyOutput(serializers.Serializer):
    customer = serializers.DictField()
    n = serializers.IntegerField()


class ToyRead(ReadView):
    query_serializer = CountQuery
    output_serializer = ToyOutput
    cache_name = "toy-read"
    audit_action = AuditLog.Action.VIEW

    def check(self, read: Read) -> None:
        if read.args["customer_id"] == MISSING_CUSTOMER:
            raise NotFoundError(ErrorCode.CUSTOMER_NOT_FOUND)

    def compute(self, read: Read) -> dict:
        COMPUTED.append(dict(read.query))
        return {"customer": {"name": "홍길동", "phone": "010-1234-5678"}, "n": read.query["n"]}

    def reveal(self, read: Read, data: dict) -> dict:
        return {**data, "customer": read.seen.pii(data["customer"], read.principal)}

    def audit_query(self, read: Read, out: dict) -> dict:
        return {"n": read.query["n"]}


class ToyPlain(ReadView):
    customer_kwarg = None

    def compute(self, read: Read) -> dict:
        COMPUTED.append({})
        return {"ok": True}


class ToyBody(BodyReadView):
    query_serializer = CountQuery
    customer_kwarg = None

    def compute(self, read: Read) -> dict:
        return {"double": read.query["n"] * 2}


READ_POLICY: dict[str, dict[str, Rule]] = {
    "test-read": {"GET": Rule(Role.STAFF, "general", 123)},
    "test-read-plain": {"GET": Rule(Role.STAFF, "general")},
    "test-read-uncached-table": {"GET": Rule(Role.STAFF, "general")},  # cached view, no time here
    "test-read-body": {"POST": Rule(Role.STAFF, "general"), "GET": Rule(Role.STAFF, "general")},
}

test_patterns = [
    path("read/<int:customer_id>", ToyRead.as_view(), name="test-read"),
    path("read-plain", ToyPlain.as_view(), name="test-read-plain"),
    path("read-uncached/<int:customer_id>", ToyRead.as_view(), name="test-read-uncached-table"),
    path("read-body", ToyBody.as_view(), name="test-read-body"),
]

urlpatterns = [path("api/v1/_test/", include(test_patterns)), *project_urlpatterns]
