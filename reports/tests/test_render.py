"""The files themselves: a real PDF (text extracted back with pypdf and pdftotext, fonts
embedded) and a real XLSX (values read back with openpyxl: numbers, formats, frozen headers,
native charts). Names are masked unless the requester may see them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from reports.models import Report

URL = "/api/v1/reports/sales/monthly"

pytestmark = pytest.mark.django_db


def make(client, capture, **body) -> tuple[Report, bytes]:
    with capture(execute=True):
        response = client.post(URL, {"year": 2026, "month": 10, "format": "pdf", **body}, format="json")
    report = Report.objects.get(report_id=response.json()["data"]["report_id"])
    assert report.job.status == "completed", report.job.error
    download = client.get(f"/api/v1/reports/{report.report_id}/download")
    return report, b"".join(download.streaming_content)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_text_figures_footer_on_every_page(month, api_client_for, django_capture_on_commit_callbacks):
    report, data = make(api_client_for("MANAGER"), django_capture_on_commit_callbacks)
    pages = pdf_text(data)
    assert len(pages) == report.job.result["pages"] >= 3
    text = "\n".join(pages)
    for expected in (
        "2026년 10월 매출 리포트",
        "₩25,000",  # revenue
        "₩12,500",  # average order value
        "60.0%",  # conversion
        "+25.0%",  # vs September
        "+150.0%",  # vs October 2025
        "국산 배추김치",
        "김치/반찬",
        "₩660,000",  # prepaid liability
        "₩300,000",  # expiring within 30 days, and the package sold
        "브레인 피드백",
        "김*희",  # masked for a manager
    ):
        assert expected in text, expected
    assert "김영희" not in text and "이철수" not in text
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {len(pages)} 쪽" in page
        assert re.search(r"생성 \d{4}-\d\d-\d\d \d\d:\d\d KST · 데이터 기준 \d{4}-\d\d-\d\d \d\d:\d\d KST", page)
        assert report.report_id in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_poppler_reads_korean_and_fonts_are_embedded(
    month, api_client_for, django_capture_on_commit_callbacks, tmp_path
):
    _report, data = make(api_client_for("ADMIN"), django_capture_on_commit_callbacks, include_charts=False)
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "선수금" in text and "김영희" in text  # ADMIN: unmasked
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # every font embedded
    assert any("ReportSans" in row[0] or "Nanum" in row[0] for row in rows)


def test_pdf_charts_are_vector(month, api_client_for, django_capture_on_commit_callbacks):
    _report, with_charts = make(api_client_for("MANAGER"), django_capture_on_commit_callbacks)
    _report, without = make(api_client_for("MANAGER"), django_capture_on_commit_callbacks, include_charts=False)
    assert len(with_charts) > len(without)
    assert b"/Subtype /Image" not in with_charts  # SVG drawn as vectors, no bitmaps


def test_xlsx_numbers_formats_frozen_headers_and_charts(month, api_client_for, django_capture_on_commit_callbacks):
    _report, data = make(api_client_for("MANAGER"), django_capture_on_commit_callbacks, format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["요약", "일별", "카테고리", "상품", "고객", "센터"]
    summary = book["요약"]
    values = {summary.cell(row, 1).value: summary.cell(row, 2) for row in range(5, 21)}
    assert values["매출 (배송 완료)"].value == 25000 and values["매출 (배송 완료)"].number_format.startswith('"₩"#,##0')
    assert values["주문 수"].value == 5
    assert values["주문 완료율"].value == pytest.approx(0.6) and values["주문 완료율"].number_format == "0.0%"
    assert values["평균 주문 금액"].value == 12500
    assert values["고객 유지율"].value == pytest.approx(0.5)
    assert summary.freeze_panes == "A5"
    daily = book["일별"]
    assert daily.freeze_panes == "B5"
    assert [c.value for c in daily[4]] == ["일자", "매출 (KRW)", "완료 주문", "구매 고객"]
    rows = list(daily.iter_rows(min_row=5, max_row=35, values_only=True))
    assert len(rows) == 31 and rows[0][0].date().isoformat() == "2026-10-01" and rows[0][1] == 20000
    assert sum(r[1] for r in rows) == 25000 and all(isinstance(r[1], int | float) for r in rows)
    products = book["상품"]
    assert [c.value for c in products[5]][1:6] == ["국산 배추김치", "김치/반찬", 3, 2, 20000]
    buyers = book["고객"]
    assert [buyers.cell(5, 3).value, buyers.cell(6, 3).value] == ["김*희", "이*수"]
    center = {row[0]: row[1] for row in book["센터"].iter_rows(min_row=5, max_row=14, values_only=True)}
    assert center["패키지 매출 (원)"] == 300000 and center["선수금 잔액 (2026-10-31 마감, 원)"] == 660000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # daily (column + line), categories, products, center


def test_xlsx_without_charts_and_unmasked_for_admin(month, api_client_for, django_capture_on_commit_callbacks):
    _report, data = make(
        api_client_for("ADMIN"), django_capture_on_commit_callbacks, format="xlsx", include_charts=False
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/charts/")]
    buyers = openpyxl.load_workbook(io.BytesIO(data))["고객"]
    assert buyers.cell(5, 3).value == "김영희"


def test_manager_with_unmasked_permission_sees_names(month, make_user, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    user = make_user("MANAGER", username="trusted-manager")
    user.user_permissions.add(Permission.objects.get(codename="view_unmasked_pii"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    report, data = make(client, django_capture_on_commit_callbacks, format="xlsx")
    assert report.unmasked is True
    assert openpyxl.load_workbook(io.BytesIO(data))["고객"].cell(5, 3).value == "김영희"
    from accounts.models import AuditLog

    assert AuditLog.objects.get(action="download").fields_unmasked == ["name"]
