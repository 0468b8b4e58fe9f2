"""Celery tasks of the job engine. Work is in core/jobs.py; tasks only carry a job id."""

from __future__ import annotations

from celery import shared_task

from .jobs import job_run, jobs_reap_stale


@shared_task(name="core.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> str | None:
    """Run a job by id; safe to deliver twice (the job is claimed atomically)."""
    job = job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="core.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> int:
    return jobs_reap_stale()
