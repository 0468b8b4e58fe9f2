"""POST /api/v1/reports/sales/monthly, GET /api/v1/reports/{id} and …/download."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from core.models import Job
from core.timeutils import local_today
from reports.models import Report, ReportCounter

URL = "/api/v1/reports/sales/monthly"
BODY = {"year": 2026, "month": 10, "format": "pdf", "include_charts": True}

pytestmark = pytest.mark.django_db


def post(client, body, capture, execute=True):
    with capture(execute=execute):
        return client.post(URL, body, format="json")


def test_202_shape_and_the_job_runs_after_commit(month, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for("MANAGER")
    before = timezone.now()
    response = post(client, BODY, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    data = response.json()["data"]
    assert set(data) == {"report_id", "status", "estimated_completion"}
    assert re.fullmatch(rf"RPT-{local_today():%Y%m%d}-0001", data["report_id"])
    assert data["status"] == "queued"  # answered before the commit ran the job
    # no history yet: the default for a PDF with charts after the request
    assert data["estimated_completion"] >= (before + timedelta(seconds=19)).isoformat()[:19]
    report = Report.objects.get(report_id=data["report_id"])
    assert report.job.status == Job.Status.COMPLETED
    assert report.requested_by == client.user and report.unmasked is False
    detail = client.get(f"/api/v1/reports/{data['report_id']}").json()["data"]
    assert detail["status"] == "completed" and detail["progress"] == 100
    assert detail["download_url"].endswith(f"/api/v1/reports/{data['report_id']}/download")
    assert detail["error"] is None and detail["estimated_completion"] is None
    assert detail["timings"]["total_seconds"] > 0 and detail["pages"] >= 3
    assert detail["summary"]["revenue"] == 25000.0 and detail["summary"]["prepaid_liability_value"] == 660000
    assert detail["filename"] == "2026년_10월_매출리포트.pdf"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "format": "docx"}, "format"),
        ({**BODY, "month": 13}, "month"),
        ({**BODY, "year": 2025, "month": 9}, "month"),  # before the first order (2025-10)
        ({**BODY, "year": local_today().year + 1, "month": 1}, "month"),  # the future
        ({"year": 2026, "format": "pdf"}, "month"),
    ],
)
def test_bad_requests_create_nothing(month, api_client_for, django_capture_on_commit_callbacks, body, field):
    response = post(api_client_for("MANAGER"), body, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"]["fields"]
    assert (Report.objects.count(), Job.objects.count(), ReportCounter.objects.count()) == (0, 0, 0)


def test_month_before_first_order_names_it(month, api_client_for, django_capture_on_commit_callbacks):
    response = post(api_client_for("MANAGER"), {**BODY, "year": 2025, "month": 9}, django_capture_on_commit_callbacks)
    assert response.json()["error"]["details"]["fields"]["month"] == [
        "첫 주문(2025년 10월) 이전 달의 리포트는 만들 수 없습니다"
    ]


def test_identical_request_while_queued_returns_the_same_report(
    month, api_client_for, django_capture_on_commit_callbacks
):
    client = api_client_for("MANAGER")
    first = post(client, BODY, django_capture_on_commit_callbacks, execute=False).json()["data"]
    again = post(client, BODY, django_capture_on_commit_callbacks, execute=False).json()["data"]
    assert again["report_id"] == first["report_id"]
    assert Report.objects.count() == 1 and Job.objects.count() == 1
    # another format, or force, is a new report
    other = post(client, {**BODY, "format": "xlsx"}, django_capture_on_commit_callbacks, execute=False).json()["data"]
    forced = post(client, {**BODY, "force": True}, django_capture_on_commit_callbacks, execute=False).json()["data"]
    assert len({first["report_id"], other["report_id"], forced["report_id"]}) == 3
    # another manager's identical request is theirs, not a report they could not open
    theirs = post(api_client_for("ADMIN"), BODY, django_capture_on_commit_callbacks, execute=False).json()["data"]
    assert theirs["report_id"] not in {first["report_id"], forced["report_id"]}


def test_finished_report_frees_the_request(month, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for("MANAGER")
    first = post(client, BODY, django_capture_on_commit_callbacks).json()["data"]
    second = post(client, BODY, django_capture_on_commit_callbacks).json()["data"]
    assert first["report_id"] != second["report_id"]
    assert second["report_id"].endswith("-0002")
    assert Report.objects.filter(dedup_key__isnull=False).count() == 0


def test_status_transitions(month, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for("MANAGER")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_id = client.post(URL, BODY, format="json").json()["data"]["report_id"]
    detail = client.get(f"/api/v1/reports/{report_id}").json()["data"]
    assert (detail["status"], detail["progress"], detail["download_url"], detail["started_at"]) == (
        "queued",
        0,
        None,
        None,
    )
    assert detail["estimated_completion"] is not None
    assert client.get(f"/api/v1/reports/{report_id}/download").json()["error"]["code"] == "REPORT_NOT_READY"
    seen = []
    from reports import jobs as report_jobs

    original = report_jobs.sales_monthly_content

    def spy(**kwargs):
        seen.append(client.get(f"/api/v1/reports/{report_id}").json()["data"]["status"])
        return original(**kwargs)

    report_jobs.sales_monthly_content = spy
    try:
        for callback in callbacks:
            callback()
    finally:
        report_jobs.sales_monthly_content = original
    assert seen == ["running"]
    assert client.get(f"/api/v1/reports/{report_id}").json()["data"]["status"] == "completed"


def test_another_manager_gets_404_admin_sees_it(month, api_client_for, make_user, django_capture_on_commit_callbacks):
    report_id = post(api_client_for("MANAGER"), BODY, django_capture_on_commit_callbacks).json()["data"]["report_id"]
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    other = APIClient()
    other.credentials(
        HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(make_user('MANAGER', username='other-manager'))}"
    )
    for path in (f"/api/v1/reports/{report_id}", f"/api/v1/reports/{report_id}/download"):
        response = other.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "REPORT_NOT_FOUND"
    assert api_client_for("ADMIN").get(f"/api/v1/reports/{report_id}").status_code == 200
    assert api_client_for("STAFF").get(f"/api/v1/reports/{report_id}").status_code == 403
    assert not AuditLog.objects.filter(action="download").exists()


def test_download_headers_bytes_and_audit(month, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for("MANAGER")
    report_id = post(client, BODY, django_capture_on_commit_callbacks).json()["data"]["report_id"]
    response = client.get(f"/api/v1/reports/{report_id}/download", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"2026-10_sales_report.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "2026년_10월_매출리포트.pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) == int(response["Content-Length"])
    c1, c2, *_ = month["customers"]
    row = AuditLog.objects.get(action="download")
    assert (row.actor_name, row.role, row.customer_ids, row.fields_unmasked, row.status_code) == (
        client.user.username,
        "MANAGER",
        sorted([c1.pk, c2.pk]),
        [],
        200,
    )
    assert row.query["report_id"] == report_id and row.path.endswith("/download")
    export = AuditLog.objects.get(action="export")
    assert export.customer_ids == sorted([c1.pk, c2.pk]) and export.actor_name == client.user.username


def test_xlsx_download_content_type(month, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for("MANAGER")
    report_id = post(client, {**BODY, "format": "xlsx"}, django_capture_on_commit_callbacks).json()["data"]["report_id"]
    response = client.get(f"/api/v1/reports/{report_id}/download")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[:5] == ["요약", "일별", "카테고리", "상품", "고객"] and "센터" in book.sheetnames


def test_unknown_report_is_404(api_client_for):
    response = api_client_for("ADMIN").get("/api/v1/reports/RPT-20260101-9999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "REPORT_NOT_FOUND"


def test_internal_service_can_request_and_read_its_report(
    month, internal_client_for, django_capture_on_commit_callbacks
):
    client = internal_client_for("MANAGER", sub="report-batch")
    report_id = post(client, BODY, django_capture_on_commit_callbacks).json()["data"]["report_id"]
    detail = client.get(f"/api/v1/reports/{report_id}").json()["data"]
    assert detail["requested_by"] == "service:report-batch" and detail["status"] == "completed"
    assert internal_client_for("MANAGER", sub="someone-else").get(f"/api/v1/reports/{report_id}").status_code == 404
