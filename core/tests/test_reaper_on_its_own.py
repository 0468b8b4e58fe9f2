"""The stale-job reaper runs without anyone calling reap_stale_jobs (issue 10 item 12):
driven by the readiness probe, job reads/enqueues and the admin job list, at most once a
minute across processes; Celery beat schedules it too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.jobs import jobs_reap_if_due
from core.models import IdempotencyRecord, Job

pytestmark = pytest.mark.django_db


def stale_job() -> Job:
    old = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 60)
    return Job.objects.create(kind="reports.x", status=Job.Status.RUNNING, started_at=old, heartbeat_at=old)


def test_readiness_probe_reaps_a_job_whose_worker_died(api_client):
    job = stale_job()
    assert api_client.get("/api/v1/health").status_code == 200
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error


def test_admin_job_list_reaps(make_user):
    from django.test import Client

    job = stale_job()
    user = make_user("ADMIN", username="jobs-admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/core/job/").status_code == 200
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_reaping_is_throttled_across_calls():
    stale_job()
    assert jobs_reap_if_due() == 1
    second = stale_job()
    assert jobs_reap_if_due() == 0  # within the interval: nothing done
    second.refresh_from_db()
    assert second.status == Job.Status.RUNNING


def test_expired_idempotency_answers_are_dropped():
    record = IdempotencyRecord.objects.create(owner="user:1", key="k", fingerprint="f", status_code=201)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=25))
    jobs_reap_if_due()
    assert not IdempotencyRecord.objects.exists()


def test_beat_schedules_the_reaper():
    assert settings.CELERY_BEAT_SCHEDULE["reap-stale-jobs"]["task"] == "core.reap_stale_jobs"
