"""Trained model artifacts: browse versions and their evaluation, switch one off. The bytes are
never shown or edited here (``ml.registry`` writes them)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from ml.models import ModelArtifact


@admin.register(ModelArtifact)
class ModelArtifactAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "trained_as_of", "metrics_summary", "size_display", "is_active", "created_at")
    list_filter = ("name", "is_active")
    search_fields = ("name", "version")
    date_hierarchy = "created_at"
    fields = (
        "name",
        "version",
        "trained_as_of",
        "is_active",
        "metrics_pretty",
        "params_pretty",
        "sha256",
        "created_at",
    )
    readonly_fields = ("name", "version", "trained_as_of", "metrics_pretty", "params_pretty", "sha256", "created_at")
    actions = ("deactivate",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The blob can be megabytes: never load it for a list or a detail page.
        return super().get_queryset(request).defer("blob")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # artifacts are written by training commands

    @admin.display(description="평가 지표")
    def metrics_summary(self, obj: ModelArtifact) -> str:
        items = [(k, v) for k, v in (obj.metrics or {}).items() if isinstance(v, int | float)][:4]
        return ", ".join(f"{k}={v:.3g}" for k, v in items) or "-"

    @admin.display(description="크기")
    def size_display(self, obj: ModelArtifact) -> str:
        params = obj.params or {}
        size = params.get("size_bytes")
        return f"{size / 1024:.0f} KB" if isinstance(size, int | float) else "-"

    @admin.display(description="평가 지표")
    def metrics_pretty(self, obj: ModelArtifact) -> Any:
        return format_html("<pre>{}</pre>", json.dumps(obj.metrics, ensure_ascii=False, indent=2))

    @admin.display(description="설정")
    def params_pretty(self, obj: ModelArtifact) -> Any:
        return format_html("<pre>{}</pre>", json.dumps(obj.params, ensure_ascii=False, indent=2))

    @admin.action(description="선택한 모델 사용 중지", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count}개 모델을 사용 중지했습니다. 같은 이름의 다른 활성 버전이 사용됩니다.")
