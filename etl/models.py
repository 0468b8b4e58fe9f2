"""State of the search-index sync (seed 000 §7): one :class:`SyncState` per (entity, target)
holding the cursor, the live index and the lock; one :class:`SyncRun` per sync job."""

from __future__ import annotations

from django.db import models


class Entity(models.TextChoices):
    PRODUCTS = "products", "상품"
    ORDERS = "orders", "주문"


class Target(models.TextChoices):
    EMBEDDED = "embedded", "내장 색인(tantivy)"
    ELASTICSEARCH = "elasticsearch", "Elasticsearch"
    OPENSEARCH = "opensearch", "OpenSearch"


class Mode(models.TextChoices):
    INCREMENTAL = "incremental", "증분"
    FULL = "full", "전체 재색인"


class SyncState(models.Model):
    """Where the copy of ``entity`` in ``target`` stands.

    The cursor is the last acknowledged ``(updated_at, id)`` of the source rows and the last
    acknowledged :class:`commerce.models.DeletionLog` id; it moves only after the target
    acknowledged a batch. ``index_name`` is the live index (the alias: readers resolve it here,
    in one row, so every process sees the same index). A full rebuild writes into
    ``pending_index`` and resumes from ``pending_cursor_id`` after a crash. ``lock_job`` is the
    job holding the sync of this pair; a finished or dead job holds nothing."""

    entity = models.CharField("대상 데이터", max_length=20, choices=Entity.choices)
    target = models.CharField("색인 대상", max_length=20, choices=Target.choices)
    cursor_updated_at = models.DateTimeField("커서 수정 일시", null=True, blank=True)
    cursor_id = models.BigIntegerField("커서 ID", default=0)
    deletion_cursor = models.BigIntegerField("삭제 기록 커서", default=0)
    index_name = models.CharField("현재 색인", max_length=100, blank=True)
    indexed_at = models.DateTimeField("마지막 반영 일시", null=True, blank=True)
    document_count = models.BigIntegerField("문서 수", default=0)
    pending_index = models.CharField("재색인 중인 색인", max_length=100, blank=True)
    pending_cursor_id = models.BigIntegerField("재색인 커서 ID", default=0)
    pending_watermark = models.DateTimeField("재색인 기준 시각", null=True, blank=True)
    pending_deletion_cursor = models.BigIntegerField("재색인 삭제 기록 커서", default=0)
    lock_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="잠금 작업"
    )
    locked_at = models.DateTimeField("잠금 일시", null=True, blank=True)
    last_run = models.ForeignKey(
        "SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="마지막 실행"
    )

    class Meta:
        verbose_name = "색인 동기화 상태"
        verbose_name_plural = "색인 동기화 상태"
        ordering = ["entity", "target"]
        constraints = [models.UniqueConstraint(fields=["entity", "target"], name="etl_sync_state_unique")]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} → {self.get_target_display()}"


class SyncRun(models.Model):
    """One sync job: what was asked, what the change set was, the cursor before and after and
    the records that failed (a bad record is listed, it does not fail the run). Progress, counts
    and status live on the job row (``core.Job``)."""

    code = models.CharField("작업 ID", max_length=20, unique=True)  # the API's job_id: ETL-YYYYMMDD-NNNN
    job = models.OneToOneField("core.Job", on_delete=models.CASCADE, related_name="etl_run", verbose_name="작업")
    state = models.ForeignKey(SyncState, on_delete=models.CASCADE, related_name="runs", verbose_name="동기화 상태")
    source = models.CharField("원본", max_length=20)
    entity = models.CharField("대상 데이터", max_length=20, choices=Entity.choices)
    target = models.CharField("색인 대상", max_length=20, choices=Target.choices)
    mode = models.CharField("방식", max_length=12, choices=Mode.choices)
    records_to_sync = models.BigIntegerField("동기화 대상 건수", default=0)
    watermark = models.DateTimeField("기준 시각")
    cursor_before = models.JSONField("시작 커서", default=dict, blank=True)
    cursor_after = models.JSONField("종료 커서", default=dict, blank=True)
    failures = models.JSONField("실패한 레코드", default=list, blank=True)
    created_at = models.DateTimeField("요청 일시", auto_now_add=True)

    class Meta:
        verbose_name = "색인 동기화 실행"
        verbose_name_plural = "색인 동기화 실행"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code
