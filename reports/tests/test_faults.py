"""Faults: a worker killed mid-report, a rendering error, a failed upload; and the embedded
default running the job inline within the request."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from core.jobs import STALE_MESSAGE
from core.models import Job
from reports.models import Report
from reports.render.pdf import ReportRenderError

URL = "/api/v1/reports/sales/monthly"
BODY = {"year": 2026, "month": 10, "format": "pdf", "include_charts": False}


def files_under(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


@pytest.mark.django_db
def test_rendering_error_fails_with_the_message_and_leaves_no_file(
    month, api_client_for, django_capture_on_commit_callbacks, monkeypatch, _media
):
    from reports import jobs

    def broken(content, *, include_charts, report_id, target):
        target.write_bytes(b"%PDF-1.7 half a file")  # a partial file on disk
        raise ReportRenderError("PDF를 만드는 중 오류가 발생했습니다: 표를 배치할 수 없습니다")

    monkeypatch.setitem(jobs.RENDERERS, "pdf", broken)
    client = api_client_for("MANAGER")
    with django_capture_on_commit_callbacks(execute=True):
        report_id = client.post(URL, BODY, format="json").json()["data"]["report_id"]
    detail = client.get(f"/api/v1/reports/{report_id}").json()["data"]
    assert detail["status"] == "failed"
    assert detail["error"] == "PDF를 만드는 중 오류가 발생했습니다: 표를 배치할 수 없습니다"
    assert detail["download_url"] is None
    assert client.get(f"/api/v1/reports/{report_id}/download").json()["error"]["code"] == "REPORT_NOT_READY"
    report = Report.objects.get(report_id=report_id)
    assert (report.file.name, report.dedup_key) == ("", None)
    assert files_under(_media) == []


@pytest.mark.django_db
def test_failed_upload_removes_the_partial_file(
    month, api_client_for, django_capture_on_commit_callbacks, monkeypatch, _media
):
    from django.core.files.storage import FileSystemStorage

    original = FileSystemStorage._save

    def half_upload(self, name, content):
        saved = original(self, name, content)
        raise OSError("디스크가 가득 찼습니다")  # the bytes are there, the save failed
        return saved  # pragma: no cover

    monkeypatch.setattr(FileSystemStorage, "_save", half_upload)
    client = api_client_for("MANAGER")
    with django_capture_on_commit_callbacks(execute=True):
        report_id = client.post(URL, {**BODY, "format": "xlsx"}, format="json").json()["data"]["report_id"]
    assert Report.objects.get(report_id=report_id).job.error == "디스크가 가득 찼습니다"
    assert files_under(_media) == []


@pytest.mark.django_db
def test_dead_worker_is_reaped_to_failed_and_frees_the_request(
    month, api_client_for, django_capture_on_commit_callbacks, settings
):
    """The worker died after claiming the job: it stays running with an old heartbeat until the
    reaper (on read) marks it failed; then the same request makes a new report."""
    client = api_client_for("MANAGER")
    with django_capture_on_commit_callbacks(execute=False):
        report_id = client.post(URL, BODY, format="json").json()["data"]["report_id"]
    report = Report.objects.get(report_id=report_id)
    old = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 60)
    Job.objects.filter(pk=report.job_id).update(status="running", started_at=old, heartbeat_at=old, progress=50)
    detail = client.get(f"/api/v1/reports/{report_id}").json()["data"]
    assert (detail["status"], detail["error"]) == ("failed", STALE_MESSAGE)
    with django_capture_on_commit_callbacks(execute=False):
        again = client.post(URL, BODY, format="json").json()["data"]["report_id"]
    assert again != report_id


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a forked worker needs a shared database")
def test_worker_killed_mid_report_is_failed_after_the_reaper_runs(month, api_client_for, settings, monkeypatch):
    """A real worker process (forked) is killed with SIGKILL while rendering; the report is
    left running, and ``reap_stale_jobs`` marks it failed with the reason."""
    from django.core.management import call_command

    from accounts.principal import principal_from_user
    from core.jobs import job_run
    from reports import jobs
    from reports.services.reports import ReportRequest, report_request

    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: None)
    report, _ = report_request(
        actor=principal_from_user(api_client_for("MANAGER").user), req=ReportRequest(year=2026, month=10, format="pdf")
    )

    def die(content, *, include_charts, report_id, target):
        target.write_bytes(b"%PDF-1.7 partial")
        os.kill(os.getpid(), signal.SIGKILL)

    connections.close_all()
    pid = os.fork()
    if pid == 0:  # the worker
        monkeypatch.setitem(jobs.RENDERERS, "pdf", die)
        job_run(job_id=report.job_id)
        os._exit(0)  # pragma: no cover - never reached
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    job = Job.objects.get(pk=report.job_id)
    assert (job.status, job.progress) == ("running", 50)
    settings.JOB_STALE_AFTER_SECONDS = 0
    call_command("reap_stale_jobs", stdout=open(os.devnull, "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", STALE_MESSAGE)
    assert api_client_for("MANAGER").get(f"/api/v1/reports/{report.report_id}").json()["data"]["status"] == "failed"
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_embedded_default_runs_the_job_inline(month, api_client_for, settings):
    """No Celery worker: the job runs at commit, inside the request, so the 202 already says
    ``completed`` (Celery eager on the embedded default and in tests)."""
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    client = api_client_for("MANAGER")
    data = client.post(URL, {**BODY, "format": "xlsx"}, format="json").json()["data"]
    assert data["status"] == "completed" and data["estimated_completion"] is None
    report = Report.objects.get(report_id=data["report_id"])
    assert report.file.name.startswith("reports/2026/10/") and report.file_size > 0
