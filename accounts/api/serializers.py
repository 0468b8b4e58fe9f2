"""Input and output shapes of the auth and audit endpoints (also documented in the schema)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import AuditLog
from accounts.sealing import unseal
from core.pagination import PaginationSerializer


class TokenObtainInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=4000)


class TokenUser(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=["STAFF", "MANAGER", "ADMIN"])


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="access 토큰 유효 시간(초)")
    user = TokenUser()


class LogoutOutput(serializers.Serializer):
    logged_out = serializers.BooleanField()
    revoked = serializers.IntegerField(help_text="이번에 폐기된 refresh 토큰 수")


class AuditLogOutput(serializers.ModelSerializer):
    actor_user_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "created_at",
            "actor_name",
            "actor_type",
            "actor_user_id",
            "role",
            "action",
            "customer_ids",
            "query",
            "fields_unmasked",
            "fields_health",
            "path",
            "method",
            "status_code",
            "ip_address",
            "request_id",
            "reason",
            "cache_hit",
        ]
        read_only_fields = fields

    def to_representation(self, instance: AuditLog) -> dict:
        # The audit log is an ADMIN route: a sealed search term is shown decrypted as
        # ``query.q_raw`` for investigators (accounts/search_terms.py).
        data = super().to_representation(instance)
        query = data.get("query")
        if isinstance(query, dict) and query.get("q_sealed"):
            data["query"] = {**query, "q_raw": unseal(query["q_sealed"])}
        return data


class AuditLogQuery(serializers.Serializer):
    customer = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="이 고객의 데이터에 접근한 기록"
    )
    actor = serializers.CharField(required=False, max_length=150, help_text="사용자 이름 또는 서비스 이름(sub)")
    action = serializers.ChoiceField(required=False, choices=AuditLog.Action.choices)
    date_from = serializers.DateField(required=False, help_text="시작일 (포함, YYYY-MM-DD)")
    date_to = serializers.DateField(required=False, help_text="종료일 (포함, YYYY-MM-DD)")
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": "종료일은 시작일보다 빠를 수 없습니다"})
        return attrs


class AuditLogPage(serializers.Serializer):
    logs = AuditLogOutput(many=True)
    pagination = PaginationSerializer()
