"""Requesting, downloading and expiring reports (each write with its audit row where customer
data is involved)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditLog
from accounts.principal import Principal
from accounts.roles import Role
from core.errors import ApiError, ErrorCode, ValidationFailed
from core.jobs import job_enqueue, jobs_reap_stale
from core.models import Job
from core.timeutils import local_today

from ..errors import ReportError
from ..models import Report, ReportCounter, ReportFormat
from ..selectors.reports import report_status
from ..selectors.sales import first_order_date, report_currency, shift_month

logger = logging.getLogger(__name__)

JOB_KIND = "reports.sales_monthly"
# The beat schedule's requester: a system actor with MANAGER's view, so its files mask names.
SCHEDULE_ACTOR = Principal(kind="system", name="reports-beat", role=Role.MANAGER)
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)


@dataclass(frozen=True)
class ReportRequest:
    """A validated request for a monthly sales report."""

    year: int
    month: int
    format: str
    include_charts: bool = True
    force: bool = False


def report_number_next(*, day: date) -> str:
    """The next ``RPT-YYYYMMDD-NNNN`` of ``day``. The day's counter row is locked
    (``select_for_update``) until the surrounding transaction ends, so concurrent requests in
    any number of processes get distinct, consecutive numbers."""
    with transaction.atomic():
        ReportCounter.objects.get_or_create(day=day)
        counter = ReportCounter.objects.select_for_update().get(day=day)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"RPT-{day:%Y%m%d}-{counter.last:04d}"


def report_request_validate(*, year: int, month: int, format: str, today: date | None = None) -> None:
    """Raise ``VALIDATION_ERROR`` (nothing is created) for a bad format, a month in the future
    or a month before the shop's first order."""
    today = today or local_today()
    errors: dict[str, list[str]] = {}
    if format not in ReportFormat.values:
        errors["format"] = [f"형식은 {', '.join(ReportFormat.values)} 중 하나여야 합니다"]
    if not 1 <= month <= 12:
        errors["month"] = ["월은 1~12 사이여야 합니다"]
    elif (year, month) > (today.year, today.month):
        errors["month"] = [f"아직 오지 않은 달({year}년 {month}월)의 리포트는 만들 수 없습니다"]
    else:
        first = first_order_date()
        if first is None:
            errors["month"] = ["쇼핑몰 주문이 아직 없어 리포트를 만들 수 없습니다"]
        elif (year, month) < (first.year, first.month):
            errors["month"] = [f"첫 주문({first.year}년 {first.month}월) 이전 달의 리포트는 만들 수 없습니다"]
    if errors:
        raise ValidationFailed(details={"fields": errors})


def _dedup_key(*, actor: Principal, req: ReportRequest, unmasked: bool, currency: str) -> str:
    return f"sales_monthly:{actor.key}:{req.year:04d}-{req.month:02d}:{req.format}:{int(req.include_charts)}:{int(unmasked)}:{currency}"


def _active_holder(key: str) -> Report | None:
    """The queued/running report holding ``key``; a finished holder gives the key up."""
    holder = Report.objects.select_related("job").filter(dedup_key=key).first()
    if holder is None:
        return None
    if holder.job_id and holder.job.status == Job.Status.RUNNING:
        jobs_reap_stale(job_ids=[holder.job_id])
        holder.job.refresh_from_db()
    if holder.job_id and holder.job.status in ACTIVE:
        return holder
    Report.objects.filter(pk=holder.pk, dedup_key=key).update(dedup_key=None)
    return None


def report_request(*, actor: Principal, req: ReportRequest, request: object | None = None) -> tuple[Report, bool]:
    """Queue a monthly sales report and return ``(report, created)``.

    An identical report of the same requester that is still queued or running is returned
    instead (``created=False``) unless ``req.force``. Customer names in the file are unmasked
    only if ``actor`` may see unmasked PII now. The job runs once the transaction commits
    (inline on the embedded default)."""
    report_request_validate(year=req.year, month=req.month, format=req.format)
    unmasked = actor.can_view_unmasked
    currency = report_currency()
    key = None if req.force else _dedup_key(actor=actor, req=req, unmasked=unmasked, currency=currency)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                if key is not None:
                    holder = _active_holder(key)
                    if holder is not None:
                        return holder, False
                report_id = report_number_next(day=local_today())
                job = job_enqueue(kind=JOB_KIND, params={"report_id": report_id}, actor=actor)
                report = Report.objects.create(
                    report_id=report_id,
                    year=req.year,
                    month=req.month,
                    format=req.format,
                    include_charts=req.include_charts,
                    currency=currency,
                    unmasked=unmasked,
                    job=job,
                    requested_by=actor.user if actor.kind == "user" else None,
                    requested_by_key=actor.key,
                    requested_by_name=(f"service:{actor.name}" if actor.kind == "service" else actor.name)[:150],
                    requested_by_role=actor.role or "",
                    dedup_key=key,
                )
            report.refresh_from_db()
            return report, True
        except IntegrityError:
            # an identical request committed its report first: return that one
            if key is None:
                raise
            holder = Report.objects.select_related("job").filter(dedup_key=key).first()
            if holder is not None:
                return holder, False
    raise ApiError(
        ErrorCode.CONFLICT, "동시에 같은 리포트 요청이 몰려 처리하지 못했습니다. 다시 시도하세요", status=409
    )


def report_last_month_request(*, today: date | None = None) -> tuple[Report, bool] | None:
    """The beat schedule's job on the 1st: last month's PDF, requested by the system (masked,
    visible to ADMIN). Skipped (``None``) when the shop has no order in that month's range yet,
    or when a system report for that month already completed."""
    today = today or local_today()
    year, month = shift_month(today.year, today.month, -1)
    actor = SCHEDULE_ACTOR
    done = Report.objects.filter(
        requested_by_key=actor.key, year=year, month=month, format=ReportFormat.PDF, job__status=Job.Status.COMPLETED
    ).exists()
    if done:
        return None
    try:
        return report_request(actor=actor, req=ReportRequest(year=year, month=month, format=ReportFormat.PDF))
    except ValidationFailed as exc:
        logger.warning("monthly report for %s-%02d not requested: %s", year, month, exc.details)
        return None


def report_open_for_download(*, principal: Principal, report: Report, request: object | None = None) -> IO[bytes]:
    """Open a completed report's file for ``principal`` and audit the download (customer ids
    named in the file, and whether their names were unmasked)."""
    status = report_status(report)
    if status == "expired":
        raise ApiError(ReportError.REPORT_EXPIRED, status=410)
    if status != Job.Status.COMPLETED or not report.file:
        raise ApiError(ReportError.REPORT_NOT_READY, status=409, details={"status": status})
    if report.unmasked and not principal.can_view_unmasked:
        # the requester lost the right to see unmasked names since
        raise ApiError(ErrorCode.UNAUTHORIZED_ACCESS, "마스킹 해제된 리포트를 받을 권한이 없습니다", status=403)
    handle = report.file.open("rb")
    audit_log(
        action=AuditLog.Action.DOWNLOAD,
        request=request,
        principal=principal,
        customer_ids=report.customer_ids,
        query={"report_id": report.report_id, "year": report.year, "month": report.month, "format": report.format},
        fields_unmasked=["name"] if report.unmasked and report.customer_ids else [],
        status_code=200,
    )
    return handle


def reports_expire(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete the files of reports created more than ``older_than_days`` days ago and mark the
    reports expired (the rows stay: who asked for what is kept). Returns how many expired."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=older_than_days)
    expired = 0
    candidates = Report.objects.filter(created_at__lt=cutoff, expired_at__isnull=True, job__status=Job.Status.COMPLETED)
    for report in candidates.iterator():
        if report.file:
            try:
                report.file.delete(save=False)
            except OSError:
                logger.exception("could not delete %s of %s", report.file.name, report.report_id)
                continue
        Report.objects.filter(pk=report.pk).update(expired_at=now, file="", dedup_key=None)
        expired += 1
    return expired
