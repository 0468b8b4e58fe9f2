"""Reading reports: who may see which, their public status, and how long they take."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.principal import Principal
from accounts.roles import Role
from core.errors import NotFoundError
from core.jobs import jobs_reap_stale
from core.models import Job

from ..errors import ReportError
from ..models import Report

ESTIMATE_SAMPLE = 20
DEFAULT_SECONDS = {("pdf", True): 20.0, ("pdf", False): 10.0, ("xlsx", True): 8.0, ("xlsx", False): 6.0}
EXPIRED = "expired"


def reports_visible_to(principal: Principal) -> QuerySet[Report]:
    """ADMIN sees every report; anyone else only the reports they requested (another manager's
    report is simply absent: a 404, not a 403)."""
    qs = Report.objects.select_related("job")
    if principal.role == Role.ADMIN:
        return qs
    return qs.filter(requested_by_key=principal.key)


def report_get_for(*, principal: Principal, report_id: str) -> Report:
    """The report if ``principal`` may see it (reaping its job first if the worker died)."""
    report = reports_visible_to(principal).filter(report_id=report_id).first()
    if report is None:
        raise NotFoundError(ReportError.REPORT_NOT_FOUND)
    if report.job_id and report.job.status == Job.Status.RUNNING and jobs_reap_stale(job_ids=[report.job_id]):
        report.job.refresh_from_db()
    return report


def report_status(report: Report) -> str:
    """queued / running / completed / failed (the job's), or ``expired`` once the retention
    command deleted the file."""
    if report.expired_at is not None:
        return EXPIRED
    return report.job.status if report.job_id else Job.Status.FAILED


def estimate_seconds(*, format: str, include_charts: bool) -> float:
    """How long a report of this kind takes: the median of the last completed ones (queue wait
    included), or a default before there is any history."""
    rows = (
        Report.objects.filter(
            format=format,
            include_charts=include_charts,
            job__status=Job.Status.COMPLETED,
            job__finished_at__isnull=False,
        )
        .order_by("-created_at")
        .values_list("job__created_at", "job__finished_at")[:ESTIMATE_SAMPLE]
    )
    durations = [(finished - created).total_seconds() for created, finished in rows if finished and created]
    if not durations:
        return getattr(settings, "REPORTS_DEFAULT_SECONDS", DEFAULT_SECONDS).get((format, include_charts), 20.0)
    return max(round(statistics.median(durations), 1), 1.0)


def estimated_completion(report: Report, *, now: datetime | None = None) -> datetime | None:
    """When a queued/running report should be done; ``None`` once it finished."""
    job = report.job
    if job is None or job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return None
    seconds = estimate_seconds(format=report.format, include_charts=report.include_charts)
    eta = job.created_at + timedelta(seconds=seconds)
    now = now or timezone.now()
    return eta if eta > now else now + timedelta(seconds=1)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return round((end - start).total_seconds(), 3) if start and end else None


def report_to_dict(report: Report, *, request: Any = None) -> dict[str, Any]:
    """The public shape of ``GET /api/v1/reports/{report_id}``."""
    job = report.job
    status = report_status(report)
    download = None
    if status == Job.Status.COMPLETED and report.file:
        download = reverse("reports-download", kwargs={"report_id": report.report_id})
        if request is not None:
            download = request.build_absolute_uri(download)
    result = (job.result or {}) if job else {}
    return {
        "report_id": report.report_id,
        "status": status,
        "progress": job.progress if job else 0,
        "year": report.year,
        "month": report.month,
        "format": report.format,
        "include_charts": report.include_charts,
        "currency": report.currency,
        "masked": not report.unmasked,
        "requested_by": report.requested_by_name,
        "created_at": report.created_at,
        "started_at": job.started_at if job else None,
        "finished_at": job.finished_at if job else None,
        "timings": {
            "queued_seconds": _seconds(job.created_at, job.started_at) if job else None,
            "running_seconds": _seconds(job.started_at, job.finished_at) if job else None,
            "total_seconds": _seconds(job.created_at, job.finished_at) if job else None,
        },
        "estimated_completion": estimated_completion(report),
        "error": (job.error or None) if job else "작업 정보가 없습니다",
        "download_url": download,
        "filename": report.download_filename,
        "file_size": report.file_size,
        "pages": result.get("pages"),
        "summary": result.get("summary"),
        "expired_at": report.expired_at,
    }
