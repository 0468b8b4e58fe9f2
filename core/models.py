"""Background jobs (reports, ETL, imports): state lives in the database, work on Celery."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    """A long-running job. ``heartbeat_at`` is touched while it runs; a running job whose
    heartbeat is older than ``JOB_STALE_AFTER_SECONDS`` is marked failed (worker died)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "대기"
        RUNNING = "running", "실행 중"
        COMPLETED = "completed", "완료"
        FAILED = "failed", "실패"

    kind = models.CharField("종류", max_length=50, db_index=True)
    status = models.CharField("상태", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    params = models.JSONField("요청 내용", default=dict, blank=True)
    progress = models.FloatField("진행률(%)", default=0)
    counts = models.JSONField("건수", default=dict, blank=True)
    errors = models.JSONField("오류", default=list, blank=True)
    error = models.TextField("실패 사유", blank=True)
    result = models.JSONField("결과", default=dict, blank=True)
    result_file = models.FileField("결과 파일", upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="요청자",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField("요청자 이름", max_length=150, blank=True)
    created_at = models.DateTimeField("요청 일시", auto_now_add=True)
    started_at = models.DateTimeField("시작 일시", null=True, blank=True)
    finished_at = models.DateTimeField("종료 일시", null=True, blank=True)
    heartbeat_at = models.DateTimeField("마지막 신호", null=True, blank=True)

    class Meta:
        verbose_name = "작업"
        verbose_name_plural = "작업"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"


class IdempotencyRecord(models.Model):
    """The stored answer to a creating ``POST`` sent with an ``Idempotency-Key`` header
    (core/idempotency.py). ``status_code`` is null while the first request is still running."""

    owner = models.CharField("호출자", max_length=160)
    key = models.CharField("멱등 키", max_length=255)
    fingerprint = models.CharField("요청 지문", max_length=64)
    status_code = models.PositiveSmallIntegerField("상태 코드", null=True, blank=True)
    response = models.JSONField("응답 데이터", null=True, blank=True)
    created_at = models.DateTimeField("요청 일시", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "멱등 요청"
        verbose_name_plural = "멱등 요청"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
