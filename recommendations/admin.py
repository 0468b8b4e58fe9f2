"""Back office: the recommendations issued to staff (read-only; they are written by the API)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import IssuedRecommendation


@admin.register(IssuedRecommendation)
class IssuedRecommendationAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "rec_type", "item_key", "confidence_score", "model_version", "last_issued_at")
    list_filter = ("rec_type", "model_version")
    search_fields = ("id", "item_key")
    raw_id_fields = ("customer",)
    readonly_fields = [f.name for f in IssuedRecommendation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
