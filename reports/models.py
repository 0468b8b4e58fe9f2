"""Generated reports (seed 000 §6): one row per requested report, its job and its file.

The work runs on the job engine (``core.jobs``); the report row keeps what the API shows
(``report_id``, the month, the format, who asked and whether names are unmasked) and the file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (XLSX)"


CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_upload_to(instance: Report, filename: str) -> str:
    return f"reports/{instance.year:04d}/{instance.month:02d}/{filename}"


class ReportCounter(models.Model):
    """The last report number handed out on one day (``RPT-YYYYMMDD-NNNN``). Incremented under a
    row lock (``select_for_update``), so numbers are unique across processes and workers."""

    day = models.DateField("일자", primary_key=True)
    last = models.PositiveIntegerField("마지막 번호", default=0)

    class Meta:
        verbose_name = "리포트 번호"
        verbose_name_plural = "리포트 번호"

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"


class Report(models.Model):
    """A monthly sales report requested by a staff user, a service or the beat schedule.

    Visible to its requester (``requested_by_key``: ``user:<id>`` / ``service:<name>`` /
    ``system:<name>``) and to ADMIN. ``unmasked`` is decided when it is requested: customer names
    appear unmasked only when the requester may see unmasked PII. ``dedup_key`` is set while the
    report is queued or running, so an identical request returns this report instead of a second
    one (unique: two concurrent identical requests cannot both create one).
    """

    report_id = models.CharField("리포트 ID", max_length=20, unique=True)
    kind = models.CharField("종류", max_length=30, default="sales_monthly")
    year = models.PositiveSmallIntegerField("연도")
    month = models.PositiveSmallIntegerField("월")
    format = models.CharField("형식", max_length=4, choices=ReportFormat.choices)
    include_charts = models.BooleanField("차트 포함", default=True)
    currency = models.CharField("통화", max_length=3)
    unmasked = models.BooleanField("고객 이름 마스킹 해제", default=False)
    job = models.OneToOneField(
        "core.Job", verbose_name="작업", on_delete=models.PROTECT, related_name="report", null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="요청자",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by_key = models.CharField("요청자 키", max_length=160, db_index=True)
    requested_by_name = models.CharField("요청자 이름", max_length=150)
    requested_by_role = models.CharField("요청자 역할", max_length=10, blank=True)
    dedup_key = models.CharField("중복 방지 키", max_length=200, null=True, blank=True, unique=True)
    file = models.FileField("파일", upload_to=report_upload_to, blank=True, max_length=300)
    file_size = models.PositiveBigIntegerField("파일 크기(바이트)", null=True, blank=True)
    customer_ids = models.JSONField("보고서에 나온 고객 ID", default=list, blank=True)
    created_at = models.DateTimeField("요청 일시", auto_now_add=True, db_index=True)
    expired_at = models.DateTimeField("만료 일시", null=True, blank=True)

    class Meta:
        verbose_name = "리포트"
        verbose_name_plural = "리포트"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["format", "include_charts", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_range"),
            models.CheckConstraint(condition=Q(format__in=ReportFormat.values), name="report_format_known"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ({self.year}년 {self.month}월 {self.format.upper()})"

    @property
    def download_filename(self) -> str:
        """``2025년_11월_매출리포트.pdf``."""
        return f"{self.year}년_{self.month}월_매출리포트.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[ReportFormat(self.format)]
