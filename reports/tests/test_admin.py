"""The 리포트 page of the back office: list with status and download links, a request button."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from reports.models import Report

pytestmark = pytest.mark.django_db

LIST = "/admin/reports/report/"


@pytest.fixture
def staff_client(client, make_user):
    def login(role: str, username: str | None = None):
        user = make_user(role, username=username or f"admin-{role.lower()}", is_staff=True)
        client.force_login(user)
        return client

    return login


def test_manager_requests_a_report_and_downloads_it(month, staff_client, django_capture_on_commit_callbacks):
    client = staff_client("MANAGER")
    page = client.get(LIST)
    assert page.status_code == 200 and "리포트 요청" in page.content.decode()
    form = client.get(f"{LIST}request/")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}request/", {"year": 2026, "month": 10, "format": "xlsx", "include_charts": "on"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.job.status == "completed"
    listing = client.get(LIST).content.decode()
    assert report.report_id in listing and "완료" in listing and "2026년_10월_매출리포트.xlsx" in listing
    download = client.get(f"{LIST}{report.report_id}/download/")
    assert download.status_code == 200
    assert "filename*=utf-8''2026%EB%85%84_10%EC%9B%94" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert AuditLog.objects.filter(action="download", query__report_id=report.report_id).count() == 1


def test_invalid_month_shows_the_error_and_creates_nothing(month, staff_client):
    client = staff_client("MANAGER")
    response = client.post(f"{LIST}request/", {"year": 2025, "month": 9, "format": "pdf"})
    assert response.status_code == 200
    assert "첫 주문(2025년 10월) 이전 달의 리포트는 만들 수 없습니다" in response.content.decode()
    assert Report.objects.count() == 0


def test_other_managers_reports_are_not_listed_and_staff_has_no_page(
    month, staff_client, django_capture_on_commit_callbacks, client
):
    owner = staff_client("MANAGER", "owner")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"{LIST}request/", {"year": 2026, "month": 10, "format": "xlsx"})
    report = Report.objects.get()
    client.logout()
    other = staff_client("MANAGER", "other")
    assert report.report_id not in other.get(LIST).content.decode()
    assert other.get(f"{LIST}{report.report_id}/download/").status_code == 404
    client.logout()
    admin = staff_client("ADMIN", "boss")
    assert report.report_id in admin.get(LIST).content.decode()
    client.logout()
    staff = staff_client("STAFF", "clerk")
    assert staff.get(LIST).status_code == 403
    assert staff.get(f"{LIST}request/").status_code == 404
