"""Back office views of platform records: jobs (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .jobs import jobs_reap_if_due
from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Jobs are written by the job engine only; the admin shows them."""

    list_display = ("id", "kind", "status", "progress", "created_by_name", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("kind", "created_by_name", "error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        jobs_reap_if_due()  # a job whose worker died is shown as failed, not running
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj: Job | None = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False
