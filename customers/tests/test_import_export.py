"""Import and export of customers through the admin (django-import-export): preview, row
errors, masking by role, audit."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.masking import mask_email, mask_name, mask_phone
from accounts.models import AuditLog
from customers.models import Customer
from customers.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CSV_FORMAT = "0"  # index in AuditedImportExportMixin.formats
XLSX_FORMAT = "1"


@pytest.fixture
def manager(backoffice_client_for):
    return backoffice_client_for("MANAGER")


@pytest.fixture
def admin(backoffice_client_for):
    return backoffice_client_for("ADMIN")


@pytest.fixture
def staff(backoffice_client_for):
    return backoffice_client_for("STAFF")


def upload(client, content: bytes, name: str = "customers.csv", fmt: str = CSV_FORMAT):
    return client.post(
        reverse("admin:customers_customer_import"),
        {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


GOOD_ROWS = [
    {
        "name": "박지성",
        "phone": "010-1111-2222",
        "email": "park@example.kr",
        "membership_level": "vip",
        "gender": "male",
    },
    {
        "name": "이하늘",
        "phone": "010-3333-4444",
        "email": "sky@example.kr",
        "membership_level": "프리미엄",
        "gender": "여성",
    },
]


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "name", "phone", "email", "membership_level", "gender"])
    writer.writeheader()
    for row in rows:
        writer.writerow({"id": "", **row})
    return out.getvalue().encode("utf-8-sig")


def test_import_preview_then_confirm_creates_customers(manager):
    preview = upload(manager, csv_bytes(GOOD_ROWS))
    assert preview.status_code == 200
    assert Customer.objects.count() == 0  # the preview is a dry run
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    html = preview.content.decode()
    # the preview shows personal data masked for a user without view_unmasked_pii
    assert "010-1111-2222" not in html
    assert mask_phone("010-1111-2222") in html
    done = manager.post(reverse("admin:customers_customer_process_import"), confirm.initial)
    assert done.status_code == 302
    rows = sorted(Customer.objects.values_list("name", "phone", "membership_level", "gender"))
    assert rows == [("박지성", "010-1111-2222", "vip", "male"), ("이하늘", "010-3333-4444", "premium", "female")]
    audit = AuditLog.objects.get(action="create", query__import=True)
    assert sorted(audit.customer_ids) == sorted(Customer.objects.values_list("pk", flat=True))
    assert audit.query["rows"] == 2


def test_import_with_one_bad_row_reports_it_and_writes_nothing(manager):
    rows = [
        *GOOD_ROWS,
        {"name": "최민수", "phone": "010-5555-6666", "email": "not-an-email", "membership_level": "gold"},
    ]
    response = upload(manager, csv_bytes(rows))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [3]
    errors = invalid[0].field_specific_errors
    # keyed by the file's Korean column headers, every message Korean
    assert errors == {
        "이메일": ["유효한 이메일 주소를 입력하세요."],
        "멤버십": ["허용되지 않는 값입니다: 'gold' (가능한 값: 베이직, 프리미엄, VIP)"],
    }
    assert response.context.get("confirm_form") is None  # cannot be confirmed
    html = response.content.decode()
    assert "멤버십" in html and "gold" in html and "membership_level" not in html
    assert Customer.objects.count() == 0
    assert not AuditLog.objects.filter(action="create").exists()


def test_import_refuses_masked_values_and_unknown_ids(manager):
    existing = CustomerFactory(name="김영희", phone="010-1234-5678")
    rows = [
        {"id": existing.pk, "name": "김*희", "phone": "010-****-5678", "email": "", "membership_level": "basic"},
        {"id": 999999, "name": "홍길동", "phone": "010-0000-1111", "email": "", "membership_level": "basic"},
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "name", "phone", "email", "membership_level"])
    writer.writeheader()
    writer.writerows(rows)
    result = upload(manager, out.getvalue().encode()).context["result"]
    assert [row.number for row in result.invalid_rows] == [1, 2]
    assert result.invalid_rows[0].field_specific_errors == {
        "이름": ["마스킹된 값(*)은 가져올 수 없습니다"],
        "전화번호": ["마스킹된 값(*)은 가져올 수 없습니다"],
    }
    assert result.invalid_rows[1].field_specific_errors == {
        "고객 ID": ["고객 ID 999999을(를) 찾을 수 없습니다 (새 고객은 고객 ID를 비워 두세요)"]
    }
    existing.refresh_from_db()
    assert (existing.name, existing.phone) == ("김영희", "010-1234-5678")
    assert Customer.objects.count() == 1


def test_import_xlsx(manager):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name", "phone", "email", "membership_level"])
    sheet.append([None, "정다은", "010-7777-8888", "da@example.kr", "basic"])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(manager, buffer.getvalue(), name="customers.xlsx", fmt=XLSX_FORMAT)
    assert preview.context["confirm_form"] is not None
    manager.post(reverse("admin:customers_customer_process_import"), preview.context["confirm_form"].initial)
    assert Customer.objects.get().phone == "010-7777-8888"


def test_staff_cannot_import_or_export(staff):
    assert staff.get(reverse("admin:customers_customer_import")).status_code == 403
    assert staff.get(reverse("admin:customers_customer_export")).status_code == 403


def export_selected(client, ids: list[int], fmt: str = CSV_FORMAT):
    """The "선택 항목 내보내기" action: the action shows the export form, which posts the file."""
    changelist = reverse("admin:customers_customer_changelist")
    form_page = client.post(changelist, {"action": "export_admin_action", "_selected_action": ids})
    assert form_page.status_code == 200
    form = form_page.context["form"]
    data = {"format": fmt, "resource": "0", "export_items": ids}
    data.update({name: "on" for name in form.fields if name.startswith("customerresource_")})
    return client.post(reverse("admin:customers_customer_export"), data)


def test_export_selection_masks_pii_for_manager(manager):
    chosen = CustomerFactory(
        name="김영희", phone="010-1234-5678", email="kim@example.com", address="서울시 강남구 테헤란로 1"
    )
    CustomerFactory(name="안보임")  # not selected
    response = export_selected(manager, [chosen.pk])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["고객 ID"] == str(chosen.pk)
    assert row["이름"] == mask_name("김영희")
    assert row["전화번호"] == mask_phone("010-1234-5678")
    assert row["이메일"] == mask_email("kim@example.com")
    assert row["주소"] == "서울시 강남구 ***"
    assert "health_goals" not in row and "건강 목표" not in row
    audit = AuditLog.objects.get(action="export")
    assert audit.customer_ids == [chosen.pk]
    assert audit.fields_unmasked == []
    assert audit.query["rows"] == 1
    assert audit.query["format"] == "csv"


def test_export_unmasked_for_admin_xlsx(admin):
    chosen = CustomerFactory(name="김영희", phone="010-1234-5678")
    response = export_selected(admin, [chosen.pk], fmt=XLSX_FORMAT)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["이름"] == "김영희"
    assert values["전화번호"] == "010-1234-5678"
    audit = AuditLog.objects.get(action="export")
    assert "phone" in audit.fields_unmasked
    assert audit.customer_ids == [chosen.pk]


def test_export_is_for_people_korean_headers_labels_numbers_sheet_and_korea_date(admin, time_machine):
    import datetime as dt
    from zoneinfo import ZoneInfo

    time_machine.move_to(dt.datetime(2026, 11, 30, 1, 0, tzinfo=ZoneInfo("Asia/Seoul")))  # still the 29th in UTC
    chosen = CustomerFactory(name="김영희", gender="female", membership_level="vip", birth_year=1988)
    Customer.objects.filter(pk=chosen.pk).update(total_visits=12, total_revenue=1450000)
    response = export_selected(admin, [chosen.pk], fmt=XLSX_FORMAT)
    assert "customer-2026-11-30.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title == "고객"
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["고객 ID", "이름", "전화번호", "이메일"]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["성별"] == "여성" and values["멤버십"] == "VIP"
    assert values["출생연도"] == 1988 and values["방문 수"] == 12 and values["총 매출(원)"] == 1450000


def test_cp949_csv_imports_with_every_error_of_every_row_in_korean(manager):
    rows = [
        {"이름": "박지성", "전화번호": "010-7777-8888", "출생연도": "1981", "멤버십": "VIP", "성별": "남성"},
        {"이름": "최민수", "전화번호": "010-5555-6666", "출생연도": "천구백", "멤버십": "gold", "성별": "남성"},
        {"이름": "김*희", "전화번호": "010-1111-2222", "출생연도": "1990", "멤버십": "basic", "성별": "외계인"},
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    for encoding in ("cp949", "utf-8-sig", "utf-8"):
        response = upload(manager, out.getvalue().encode(encoding))
        assert response.status_code == 200, encoding
        result = response.context["result"]
        assert result.has_validation_errors(), encoding
        errors = {row.number: row.field_specific_errors for row in result.invalid_rows}
        assert set(errors) == {2, 3}, encoding
        assert errors[2] == {
            "출생연도": ["숫자가 아닙니다: '천구백'"],
            "멤버십": ["허용되지 않는 값입니다: 'gold' (가능한 값: 베이직, 프리미엄, VIP)"],
        }
        # the row's own check (masked name) and its column errors together
        assert errors[3] == {
            "이름": ["마스킹된 값(*)은 가져올 수 없습니다"],
            "성별": [GENDER_ERROR],
        }
        html = response.content.decode()
        assert "UnicodeDecodeError" not in html and "ConversionSyntax" not in html
    assert not Customer.objects.filter(name__in=["박지성", "최민수"]).exists()  # nothing half-imported


def test_wrong_file_type_is_a_korean_form_error(manager):
    response = upload(manager, b"PK\x03\x04 not really a spreadsheet", name="orders.csv", fmt=XLSX_FORMAT)
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [READ_ERROR]
    assert "Traceback" not in response.content.decode() and "BadZipFile" not in response.content.decode()


GENDER_ERROR = "허용되지 않는 값입니다: '외계인' (가능한 값: 여성, 남성, 기타)"
READ_ERROR = "파일을 읽지 못했습니다. 고른 형식(CSV·XLSX)이 파일과 맞는지, 엑셀 파일이 손상되지 않았는지 확인하세요."
