"""Celery tasks of the job engine. Work is in core/jobs.py; tasks only carry a job id."""

from __future__ import annotations

from celery import shared_task

from .jobs import job_run, jobs_reap_stale
from .request_context import request_id_var


@shared_task(name="core.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> str | None:
    """Run a job by id; safe to deliver twice (the job is claimed atomically)."""
    # Log lines of the job carry "job-<id>" where a request would carry its request id.
    token = request_id_var.set(f"job-{job_id}")
    try:
        job = job_run(job_id=job_id)
    finally:
        request_id_var.reset(token)
    return job.status if job is not None else None


@shared_task(name="core.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> int:
    from .idempotency import idempotency_prune

    idempotency_prune()  # expired Idempotency-Key answers, on the same schedule
    return jobs_reap_stale()
