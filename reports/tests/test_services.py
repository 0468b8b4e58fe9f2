"""Report numbers under concurrency, the completion estimate, retention and the schedule."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from accounts.principal import principal_from_user
from core.models import Job
from reports.models import Report
from reports.selectors.reports import DEFAULT_SECONDS, estimate_seconds
from reports.services.reports import (
    SCHEDULE_ACTOR,
    ReportRequest,
    report_last_month_request,
    report_number_next,
    report_request,
    reports_expire,
)


@pytest.mark.django_db
def test_numbers_are_per_day_and_consecutive():
    day = date(2026, 11, 20)
    assert [report_number_next(day=day) for _ in range(3)] == [
        "RPT-20261120-0001",
        "RPT-20261120-0002",
        "RPT-20261120-0003",
    ]
    assert report_number_next(day=date(2026, 11, 21)) == "RPT-20261121-0001"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks across connections need PostgreSQL")
def test_numbers_are_unique_under_concurrency():
    day = date(2026, 11, 20)
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                numbers.append(report_number_next(day=day))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"RPT-20261120-{n:04d}" for n in range(1, 41)]
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent transactions need PostgreSQL")
def test_identical_concurrent_requests_make_one_report(month, make_user, monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: None)
    actor = principal_from_user(make_user("MANAGER", username="racer"))
    results: list[str] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            report, _created = report_request(actor=actor, req=ReportRequest(year=2026, month=10, format="pdf"))
            results.append(report.report_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and len(set(results)) == 1
    assert Report.objects.count() == 1 and Job.objects.count() == 1


@pytest.mark.django_db
def test_estimate_comes_from_past_reports_of_the_format(month, make_user):
    assert estimate_seconds(format="pdf", include_charts=True) == DEFAULT_SECONDS[("pdf", True)]
    actor = principal_from_user(make_user("MANAGER"))
    now = timezone.now()
    for seconds in (4, 6, 30):
        report, _ = report_request(actor=actor, req=ReportRequest(year=2026, month=10, format="pdf", force=True))
        Job.objects.filter(pk=report.job_id).update(
            status="completed", created_at=now - timedelta(seconds=seconds), finished_at=now
        )
    assert estimate_seconds(format="pdf", include_charts=True) == 6.0  # the median
    assert estimate_seconds(format="xlsx", include_charts=True) == DEFAULT_SECONDS[("xlsx", True)]


@pytest.mark.django_db
def test_retention_deletes_old_files_and_marks_expired(
    month, api_client_for, django_capture_on_commit_callbacks, _media
):
    client = api_client_for("MANAGER")
    ids = []
    for fmt in ("xlsx", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            ids.append(
                client.post(
                    "/api/v1/reports/sales/monthly", {"year": 2026, "month": 10, "format": fmt}, format="json"
                ).json()["data"]["report_id"]
            )
    old, new = (Report.objects.get(report_id=i) for i in ids)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    old_path = Path(old.file.path)
    assert old_path.exists()
    out = StringIO()
    call_command("expire_reports", "--days", "90", stdout=out)
    assert "1건" in out.getvalue()
    old.refresh_from_db()
    assert old.expired_at is not None and old.file.name == "" and not old_path.exists()
    assert Path(new.file.path).exists()
    detail = client.get(f"/api/v1/reports/{old.report_id}").json()["data"]
    assert (detail["status"], detail["download_url"]) == ("expired", None)
    response = client.get(f"/api/v1/reports/{old.report_id}/download")
    assert response.status_code == 410 and response.json()["error"]["code"] == "REPORT_EXPIRED"
    assert reports_expire(older_than_days=90) == 0  # idempotent


@pytest.mark.django_db
def test_beat_requests_last_month_pdf_once(month, django_capture_on_commit_callbacks, settings):
    assert settings.CELERY_BEAT_SCHEDULE["reports-last-month-pdf"]["task"] == "reports.request_last_month_pdf"
    schedule = settings.CELERY_BEAT_SCHEDULE["reports-last-month-pdf"]["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {6}
    with django_capture_on_commit_callbacks(execute=True):
        report, created = report_last_month_request(today=date(2026, 11, 1))
    assert created and (report.year, report.month, report.format) == (2026, 10, "pdf")
    assert report.requested_by_key == SCHEDULE_ACTOR.key and report.unmasked is False
    report.refresh_from_db()
    assert report.job.status == "completed"
    assert report_last_month_request(today=date(2026, 11, 1)) is None  # already done
    assert report_last_month_request(today=date(2025, 10, 1)) is None  # before the first order


@pytest.mark.django_db
def test_request_command(month, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("request_monthly_report", "--year", "2026", "--month", "10", "--format", "xlsx", stdout=out)
    assert "요청했습니다" in out.getvalue()
    assert Report.objects.get().requested_by_key == "system:manage.py"


def test_s3_storage_is_chosen_by_settings(tmp_path):
    """REPORTS_S3_BUCKET switches the default storage to django-storages' S3 backend."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__module__, s.bucket_name, s.endpoint_url, s.default_acl)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "REPORTS_S3_BUCKET": "wellness-reports",
        "REPORTS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert out.stdout.split() == ["storages.backends.s3", "wellness-reports", "http://127.0.0.1:9000", "private"]
