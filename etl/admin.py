"""The back office of the search sync: each (entity, target) cursor, the live index, the last
run with its counts and errors, and every run. Read-only; a sync is started through the same
service as the API (action below), never by editing a row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.principal import principal_from_user
from core.errors import ApiError

from .models import SyncRun, SyncState
from .services.sync import etl_sync_start


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _counts(run: SyncRun | None) -> str:
    if run is None:
        return "-"
    c = run.job.counts or {}
    return (
        f"추출 {c.get('extracted', 0)} · 색인 {c.get('indexed', 0)} · 삭제 {c.get('deleted', 0)} · "
        f"실패 {c.get('failed', 0)}"
    )


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = (
        "entity",
        "target",
        "index_name",
        "cursor_display",
        "deletion_cursor",
        "document_count",
        "indexed_at",
        "last_run_display",
        "last_status",
        "last_counts",
        "last_errors",
        "lock_job",
    )
    list_select_related = ("last_run__job", "lock_job")
    actions = ["sync_incremental", "sync_full"]

    @admin.display(description="커서 (수정 일시, ID)")
    def cursor_display(self, obj: SyncState) -> str:
        if obj.cursor_updated_at is None:
            return "-"
        return f"{obj.cursor_updated_at:%Y-%m-%d %H:%M:%S}, {obj.cursor_id}"

    @admin.display(description="마지막 실행")
    def last_run_display(self, obj: SyncState) -> str:
        return obj.last_run.code if obj.last_run else "-"

    @admin.display(description="상태")
    def last_status(self, obj: SyncState) -> str:
        return obj.last_run.job.get_status_display() if obj.last_run else "-"

    @admin.display(description="건수")
    def last_counts(self, obj: SyncState) -> str:
        return _counts(obj.last_run)

    @admin.display(description="오류")
    def last_errors(self, obj: SyncState) -> str:
        run = obj.last_run
        if run is None:
            return "-"
        parts = []
        if run.job.error:
            parts.append(run.job.error)
        if run.failures:
            parts.append(f"실패 레코드 {len(run.failures)}건")
        return " / ".join(parts) or "-"

    def _start(self, request: HttpRequest, queryset: QuerySet, mode: str) -> None:
        for state in queryset:
            try:
                run = etl_sync_start(
                    actor=principal_from_user(request.user),
                    entity=state.entity,
                    target=state.target,
                    mode=mode,
                    request=request,
                )
            except ApiError as exc:
                self.message_user(request, f"{state}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{state}: {run.code} 시작 ({run.records_to_sync}건)", messages.SUCCESS)

    @admin.action(description="증분 동기화 실행")
    def sync_incremental(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._start(request, queryset, "incremental")

    @admin.action(description="전체 재색인 실행")
    def sync_full(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._start(request, queryset, "full")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # actions need "change" on the changelist; rows stay read-only (no editable fields)
        return obj is None and request.user.has_perm("etl.change_syncstate")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "entity",
        "target",
        "mode",
        "status",
        "records_to_sync",
        "counts",
        "failure_count",
        "created_at",
    )
    list_filter = ("entity", "target", "mode", "job__status")
    search_fields = ("=code",)
    list_select_related = ("job",)
    readonly_fields = (
        "code",
        "entity",
        "target",
        "source",
        "mode",
        "records_to_sync",
        "watermark",
        "cursor_before",
        "cursor_after",
        "failures",
        "created_at",
    )
    fields = readonly_fields

    @admin.display(description="상태", ordering="job__status")
    def status(self, obj: SyncRun) -> str:
        return obj.job.get_status_display()

    @admin.display(description="건수")
    def counts(self, obj: SyncRun) -> str:
        return _counts(obj)

    @admin.display(description="실패 레코드")
    def failure_count(self, obj: SyncRun) -> int:
        return len(obj.failures or [])
