"""Input and output shapes of the auth and audit endpoints (also documented in the schema)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import AuditLog


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
