"""The job engine: handlers that succeed, fail, die (stale), idempotent delivery, enqueue on commit."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.principal import principal_from_user, system_principal
from core import jobs
from core.jobs import JobContext, job_create, job_enqueue, job_get, job_run, job_to_dict, jobs_reap_stale
from core.models import Job
from core.tasks import run_job

pytestmark = pytest.mark.django_db

handled_ids: list[int] = []


def succeed(ctx: JobContext) -> dict:
    handled_ids.append(ctx.job.pk)
    total = int(ctx.params.get("items", 4))
    for i in range(total):
        ctx.count(processed=1)
        ctx.progress(i + 1, total, counts={"last": i})
    ctx.error("row 3 skipped", row=3)
    ctx.save_result_file("out.txt", b"hello")
    return {"total": total}


def fail(ctx: JobContext) -> dict:
    ctx.progress(50)
    raise ValueError("원본 파일의 형식이 올바르지 않습니다")


@pytest.fixture(autouse=True)
def handlers(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handled_ids.clear()
    monkeypatch.setitem(jobs.HANDLERS, "test.succeed", succeed)
    monkeypatch.setitem(jobs.HANDLERS, "test.fail", fail)


def test_successful_job_reports_progress_counts_result_and_file(users):
    job = job_create(kind="test.succeed", params={"items": 4}, actor=principal_from_user(users["MANAGER"]))
    assert job.status == Job.Status.QUEUED
    assert job.created_by == users["MANAGER"]
    assert run_job.delay(job.pk).get() == "completed"
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.progress == 100
    assert job.counts == {"processed": 4, "last": 3}
    assert job.errors == [{"message": "row 3 skipped", "row": 3}]
    assert job.result == {"total": 4}
    assert job.result_file.read() == b"hello"
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    assert job.error == ""
    body = job_to_dict(job)
    assert body["status"] == "completed"
    assert body["error"] is None
    assert body["created_by"] == "manager-user"


def test_failing_job_is_failed_with_the_message_and_no_traceback(caplog):
    job = job_create(kind="test.fail", actor=system_principal("etl"))
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "원본 파일의 형식이 올바르지 않습니다"
    assert "Traceback" not in job.error
    assert job.progress == 50
    assert job.finished_at is not None
    # the traceback goes to the log, for operators
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_unknown_kind_fails():
    job = job_create(kind="nobody.handles.this")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("알 수 없는 작업 종류입니다")


def test_delivering_a_job_twice_runs_it_once():
    job = job_create(kind="test.succeed")
    assert job_run(job_id=job.pk) is not None
    assert job_run(job_id=job.pk) is None  # already completed: untouched
    assert handled_ids == [job.pk]


def test_a_running_job_with_a_live_worker_is_not_taken_over():
    job = job_create(kind="test.succeed")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    assert job_run(job_id=job.pk) is None
    assert handled_ids == []


def test_a_redelivered_job_whose_worker_died_runs_again(settings):
    job = job_create(kind="test.succeed")
    old = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=old, heartbeat_at=old)
    assert job_run(job_id=job.pk).status == Job.Status.COMPLETED
    assert handled_ids == [job.pk]


def test_enqueue_runs_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_enqueue(kind="test.succeed", params={"items": 2})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # nothing sent before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit happens: on the embedded default the job runs inline (eager)
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.counts["processed"] == 2


def test_stale_running_job_is_reaped_on_read(settings):
    settings.JOB_STALE_AFTER_SECONDS = 600
    job = job_create(kind="test.succeed")
    fresh = job_create(kind="test.succeed")
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(seconds=601)
    )
    Job.objects.filter(pk=fresh.pk).update(
        status=Job.Status.RUNNING, started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(seconds=30)
    )
    read = job_get(job_id=job.pk)
    assert read.status == Job.Status.FAILED
    assert read.error == "작업자가 응답하지 않아 실패 처리되었습니다"
    assert job_get(job_id=fresh.pk).status == Job.Status.RUNNING


def test_reap_command(settings):
    settings.JOB_STALE_AFTER_SECONDS = 60
    stale = [job_create(kind="test.succeed") for _ in range(2)]
    done = job_create(kind="test.succeed")
    old = timezone.now() - timedelta(minutes=5)
    Job.objects.filter(pk__in=[j.pk for j in stale]).update(
        status=Job.Status.RUNNING, started_at=old, heartbeat_at=None
    )
    Job.objects.filter(pk=done.pk).update(status=Job.Status.COMPLETED, heartbeat_at=old)
    out = StringIO()
    call_command("reap_stale_jobs", stdout=out)
    assert "2건" in out.getvalue()
    assert set(Job.objects.filter(status=Job.Status.FAILED).values_list("pk", flat=True)) == {j.pk for j in stale}
    assert Job.objects.get(pk=done.pk).status == Job.Status.COMPLETED
    assert jobs_reap_stale() == 0


def test_job_get_unknown_is_not_found():
    from core.errors import NotFoundError

    with pytest.raises(NotFoundError) as info:
        job_get(job_id=987654)
    assert info.value.code == "JOB_NOT_FOUND"
    assert info.value.status_code == 404


def test_job_admin_is_read_only(client, make_user):
    admin_user = make_user("ADMIN", username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    job = job_create(kind="test.succeed")
    assert client.get("/admin/core/job/").status_code == 200
    assert client.get(f"/admin/core/job/{job.pk}/change/").status_code == 200
    assert client.get("/admin/core/job/add/").status_code == 403
    response = client.post(f"/admin/core/job/{job.pk}/change/", {"kind": "changed", "status": "failed"})
    assert response.status_code == 403
    assert client.post(f"/admin/core/job/{job.pk}/delete/", {"post": "yes"}).status_code == 403
    job.refresh_from_db()
    assert (job.kind, job.status) == ("test.succeed", Job.Status.QUEUED)


def test_broker_outage_fails_the_job_instead_of_leaving_it_queued():
    from config.celery import app as celery_app

    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        job = job_create(kind="test.succeed")
        jobs.job_send(job.pk)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
        celery_app.pool.force_close_all()
        # the next publish builds its pools for the restored broker
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("작업 엔진에 연결할 수 없어 작업을 시작하지 못했습니다")
    assert handled_ids == []
