"""Request and response shapes of the reports API (seed 000 §6)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ReportFormat


class SalesMonthlyRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    format = serializers.ChoiceField(
        choices=ReportFormat.values, error_messages={"invalid_choice": "형식은 pdf, xlsx 중 하나여야 합니다"}
    )
    include_charts = serializers.BooleanField(default=True)
    force = serializers.BooleanField(default=False, help_text="같은 리포트가 대기·진행 중이어도 새로 만듭니다")


class SalesMonthlyAcceptedSerializer(serializers.Serializer):
    report_id = serializers.CharField()
    status = serializers.CharField()
    estimated_completion = serializers.DateTimeField(allow_null=True)


class ReportTimingsSerializer(serializers.Serializer):
    queued_seconds = serializers.FloatField(allow_null=True)
    running_seconds = serializers.FloatField(allow_null=True)
    total_seconds = serializers.FloatField(allow_null=True)


class ReportDetailSerializer(serializers.Serializer):
    report_id = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, completed, failed, expired")
    progress = serializers.FloatField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    format = serializers.CharField()
    include_charts = serializers.BooleanField()
    currency = serializers.CharField()
    masked = serializers.BooleanField()
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    timings = ReportTimingsSerializer()
    estimated_completion = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    download_url = serializers.CharField(allow_null=True)
    filename = serializers.CharField()
    file_size = serializers.IntegerField(allow_null=True)
    pages = serializers.IntegerField(allow_null=True)
    summary = serializers.DictField(allow_null=True)
    expired_at = serializers.DateTimeField(allow_null=True)
