"""The job engine: a ``Job`` row holds the state, Celery runs the work (API.md "Jobs").

Other apps register a handler for a job kind in their own ``<app>/jobs.py`` module::

    from core.jobs import JobContext, job_handler

    @job_handler("reports.sales_monthly")
    def sales_monthly(ctx: JobContext) -> dict:
        for i, month in enumerate(months):
            ...
            ctx.progress(i + 1, len(months), counts={"rows": n})  # also the heartbeat
        ctx.save_result_file("report.pdf", pdf_bytes)
        return {"pages": 3}  # stored in job.result

and start it from a service (the caller answers 202 with ``job.pk`` at once)::

    job = job_enqueue(kind="reports.sales_monthly", params={...}, actor=principal_of(request))

``job_enqueue`` sends the task on ``transaction.on_commit``, so a worker never sees a job row
that is not committed yet. On the embedded default (no ``REDIS_URL``) Celery runs eagerly: the
job runs inline at commit, no Redis needed. In tests, wrap the call in
``django_capture_on_commit_callbacks(execute=True)`` to run it.

A handler that raises marks the job failed with the exception's message (never a traceback:
that goes to the log). A running job whose heartbeat is older than ``JOB_STALE_AFTER_SECONDS``
is marked failed (the worker died); this happens on every read through :func:`job_get`, on the
beat schedule and with ``manage.py reap_stale_jobs``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .errors import ErrorCode, ErrorCodeEnum, NotFoundError
from .models import Job

logger = logging.getLogger(__name__)

STALE_MESSAGE = "작업자가 응답하지 않아 실패 처리되었습니다"
UNKNOWN_KIND_MESSAGE = "알 수 없는 작업 종류입니다"
ENQUEUE_FAILED_MESSAGE = "작업 엔진에 연결할 수 없어 작업을 시작하지 못했습니다"
MAX_ERRORS = 200
MAX_ERROR_TEXT = 2000

Handler = Callable[["JobContext"], dict | None]
HANDLERS: dict[str, Handler] = {}
_discovered = False


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind`` (decorator)."""

    def register(fn: Handler) -> Handler:
        existing = HANDLERS.get(kind)
        if existing is not None and existing is not fn and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"job kind {kind!r} already has a handler: {existing!r}")
        HANDLERS[kind] = fn
        return fn

    return register


def handler_for(kind: str) -> Handler | None:
    """The handler of ``kind``; imports every app's ``jobs`` module the first time."""
    global _discovered
    if kind not in HANDLERS and not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    return HANDLERS.get(kind)


class JobContext:
    """What a handler gets: the job, its params, and ways to report progress."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.params: dict = dict(job.params or {})

    def heartbeat(self) -> None:
        """Tell the reaper this job is alive (``progress`` does it too)."""
        now = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(heartbeat_at=now)
        self.job.heartbeat_at = now

    def progress(self, done: float, total: float | None = None, *, counts: dict | None = None) -> None:
        """Report progress: ``progress(3, 10)`` = 30 %, ``progress(42.5)`` = 42.5 %.
        ``counts`` are merged into ``job.counts`` (for example ``{"created": 10}``)."""
        percent = float(done) if total is None else (100.0 * done / total if total else 100.0)
        self.job.progress = round(min(max(percent, 0.0), 100.0), 2)
        if counts:
            self.job.counts = {**(self.job.counts or {}), **counts}
        self.job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            progress=self.job.progress, counts=self.job.counts, heartbeat_at=self.job.heartbeat_at
        )

    def count(self, **increments: int) -> None:
        """Add to counters: ``ctx.count(created=1, skipped=2)``."""
        counts = dict(self.job.counts or {})
        for key, value in increments.items():
            counts[key] = int(counts.get(key, 0)) + int(value)
        self.job.counts = counts
        self.job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(counts=counts, heartbeat_at=self.job.heartbeat_at)

    def error(self, message: str, **details: Any) -> None:
        """Record a non-fatal error (a bad row, a skipped item); the job goes on."""
        errors = list(self.job.errors or [])
        if len(errors) < MAX_ERRORS:
            errors.append({"message": str(message)[:MAX_ERROR_TEXT], **details})
        self.job.errors = errors
        Job.objects.filter(pk=self.job.pk).update(errors=errors)

    def save_result_file(self, filename: str, content: bytes) -> str:
        """Store the job's output file (report PDF, export) and return its storage name."""
        self.job.result_file.save(filename, ContentFile(content), save=False)
        Job.objects.filter(pk=self.job.pk).update(result_file=self.job.result_file.name)
        return self.job.result_file.name


def _actor_fields(actor: object | None) -> dict:
    if actor is None:
        return {"created_by": None, "created_by_name": "system"}
    user = getattr(actor, "user", None)
    if getattr(actor, "kind", None) != "user":
        user = None
    name = getattr(actor, "name", None) or str(actor)
    if getattr(actor, "kind", None) == "service":
        name = f"service:{name}"
    return {"created_by": user, "created_by_name": name[:150]}


def job_create(*, kind: str, params: dict | None = None, actor: object | None = None) -> Job:
    """Create a queued job row (no task sent). ``actor`` is a Principal (or None for system)."""
    return Job.objects.create(kind=kind, params=params or {}, **_actor_fields(actor))


def job_send(job_id: int) -> None:
    """Send the task for a job now; if the broker is unreachable mark the job failed."""
    from .tasks import run_job

    try:
        run_job.delay(job_id)
    except Exception as exc:  # broker outage: the job must not stay queued
        logger.exception("could not enqueue job %s", job_id)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            error=f"{ENQUEUE_FAILED_MESSAGE} ({type(exc).__name__})",
            finished_at=timezone.now(),
        )


def job_enqueue(*, kind: str, params: dict | None = None, actor: object | None = None) -> Job:
    """Create a job and run it on the job engine once the surrounding transaction commits."""
    job = job_create(kind=kind, params=params, actor=actor)
    transaction.on_commit(lambda: job_send(job.pk))
    jobs_reap_if_due()
    return job


def _claim(job_id: int, now: datetime) -> bool:
    """Mark the job running if it is queued, or running with a dead worker (a redelivered
    task after the worker was lost). Exactly one caller wins; the others do nothing."""
    stale_before = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    claimable = Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before)
    return bool(
        Job.objects.filter(claimable, pk=job_id).update(
            status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, progress=0, error=""
        )
    )


def _failure_text(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message)[:MAX_ERROR_TEXT]


def job_run(*, job_id: int) -> Job | None:
    """Run one job (the Celery task calls this). Idempotent: a job that is not claimable
    (already running elsewhere, completed or failed) is left alone and ``None`` returned."""
    now = timezone.now()
    if not _claim(job_id, now):
        logger.info("job %s not claimable (already running or finished)", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    handler = handler_for(job.kind)
    if handler is None:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error=f"{UNKNOWN_KIND_MESSAGE}: {job.kind}", finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    ctx = JobContext(job)
    try:
        result = handler(ctx)
    except Exception as exc:  # any failure is recorded on the job
        logger.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, error=_failure_text(exc), finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.COMPLETED,
            progress=100,
            result=result or {},
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def jobs_reap_stale(*, now: datetime | None = None, job_ids: list[int] | None = None) -> int:
    """Mark running jobs whose heartbeat is older than ``JOB_STALE_AFTER_SECONDS`` as failed.
    Returns how many were reaped."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    qs = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, started_at__lt=stale_before)
    )
    if job_ids is not None:
        qs = qs.filter(pk__in=job_ids)
    reaped = qs.update(status=Job.Status.FAILED, error=STALE_MESSAGE, finished_at=now)
    if reaped:
        logger.warning("reaped %d stale job(s)", reaped)
    return reaped


def jobs_reap_if_due() -> int:
    """Run :func:`jobs_reap_stale` at most once per ``JOB_REAP_INTERVAL_SECONDS`` (default 60)
    across all processes (a shared-cache flag; with the cache down, every call reaps: one
    indexed UPDATE). Called on activity — a job read or enqueued, the readiness probe that
    load balancers call every few seconds, the admin's job list — so stale jobs are failed in
    every deployment mode, with or without Celery beat (which also runs the reaper every 5
    minutes) or a cron ``reap_stale_jobs``. Also drops expired Idempotency-Key answers."""
    from django.core.cache import cache

    from .cache import cache_call

    interval = int(getattr(settings, "JOB_REAP_INTERVAL_SECONDS", 60))
    if not cache_call(lambda: cache.add("jobs:reap-due", 1, interval), True):
        return 0
    reaped = jobs_reap_stale()
    from .idempotency import idempotency_prune

    idempotency_prune()
    return reaped


def job_get(*, job_id: int, kind: str | None = None, not_found_code: ErrorCodeEnum = ErrorCode.JOB_NOT_FOUND) -> Job:
    """Read one job (reaping it first if its worker died). Raises ``NotFoundError``."""
    jobs_reap_stale(job_ids=[job_id])
    jobs_reap_if_due()
    qs = Job.objects.all()
    if kind is not None:
        qs = qs.filter(kind__startswith=kind)
    job = qs.filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(not_found_code)
    return job


def job_to_dict(job: Job) -> dict:
    """The public shape of a job for API responses (reports add their download link)."""
    return {
        "job_id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "counts": job.counts or {},
        "errors": job.errors or [],
        "error": job.error or None,
        "result": job.result or {},
        "created_by": job.created_by_name,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
