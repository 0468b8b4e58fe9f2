"""Issue 17: product and order files for people, by the customers' one mechanism
(``accounts.backoffice.resources.BackOfficeResourceMixin``): Korean headers, labels instead of codes,
real numbers, the sheet's name and Korea's date in the file name; every error of every row in
Korean under the file's own header, no traceback for a wrong file, nothing half-imported."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.backoffice.resources import UNEXPECTED_ROW_ERROR
from accounts.masking import mask_name
from accounts.models import AuditLog
from commerce.models import Order, OrderItem, OrderStatus, Product
from commerce.testing.factories import CategoryFactory, OrderFactory, ProductFactory
from customers.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db

READ_ERROR = "파일을 읽지 못했습니다. 고른 형식(CSV·XLSX)이 파일과 맞는지, 엑셀 파일이 손상되지 않았는지 확인하세요."
CURRENCIES = "원(KRW), 미국 달러(USD), 유로(EUR), 엔(JPY), 위안(CNY), 파운드(GBP)"
STATUSES = "주문 접수, 주문 확인, 상품 준비, 배송 중, 배송 완료, 취소"


@pytest.fixture
def manager(backoffice_client_for):
    return backoffice_client_for("MANAGER")


def upload(client, model: str, content: bytes, *, name: str | None = None, fmt: str = "0"):
    return client.post(
        reverse(f"admin:commerce_{model}_import"),
        {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name or f"{model}.csv", content)},
    )


def errors_of(response) -> dict[int, dict[str, list[str]]]:
    result = response.context["result"]
    assert not result.has_errors()  # no traceback rows: every problem is a row error
    return {row.number: row.error_dict for row in result.invalid_rows}


def export_xlsx(client, model: str, pks: list[int]):
    """The "선택 항목 내보내기" action: the action shows the export form, which posts the file."""
    form_page = client.post(
        reverse(f"admin:commerce_{model}_changelist"), {"action": "export_admin_action", "_selected_action": pks}
    )
    assert form_page.status_code == 200
    data = {"format": "1", "resource": "0", "export_items": pks}
    data.update({name: "on" for name in form_page.context["form"].fields if name.startswith(f"{model}resource_")})
    return client.post(reverse(f"admin:commerce_{model}_export"), data)


# --- exports ---------------------------------------------------------------------------------


def test_product_export_korean_headers_labels_numbers_sheet_and_korea_date(manager, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 1, 0, tzinfo=ZoneInfo("Asia/Seoul")))  # still the 29th in UTC
    product = ProductFactory(
        sku="KF-001", name="포기김치 1kg", category=CategoryFactory(name="김치/반찬"), price=Decimal("15900")
    )
    off = ProductFactory(sku="KF-002", name="깍두기", price=Decimal("8900.50"), currency="USD", is_active=False)
    response = export_xlsx(manager, "product", [product.pk, off.pk])
    assert response.status_code == 200
    assert 'filename="product-2026-11-30.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "상품"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "상품 코드",
        "상품명",
        "영문 상품명",
        "카테고리",
        "가격",
        "통화",
        "이미지 URL",
        "설명",
        "판매 중",
    ]
    by_sku = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    first, second = by_sku["KF-001"], by_sku["KF-002"]
    assert (first["카테고리"], first["가격"], first["통화"], first["판매 중"]) == ("김치/반찬", 15900, "원(KRW)", "예")
    assert (second["가격"], second["통화"], second["판매 중"]) == (8900.5, "미국 달러(USD)", "아니요")
    assert isinstance(first["가격"], int | float)  # a number the spreadsheet can sum, not text


def test_order_export_korean_headers_labels_numbers_sheet_and_korea_date(manager, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 1, 0, tzinfo=ZoneInfo("Asia/Seoul")))
    buyer = CustomerFactory(name="김영희")
    product = ProductFactory(sku="KF-001", price=Decimal("15900"))
    order = OrderFactory(
        buyer=buyer,
        items=[(product, 2, None)],
        status=OrderStatus.DELIVERED,
        external_ref="EXT-9",
        created_at=dt.datetime(2026, 10, 1, 0, 30, tzinfo=dt.UTC),  # 09:30 in Korea
    )
    response = export_xlsx(manager, "order", [order.pk])
    assert 'filename="order-2026-11-30.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "주문"
    header, values = ([c.value for c in row] for row in sheet.iter_rows())
    assert header == ["주문 ID", "주문 번호", "고객 ID", "구매자", "상태", "통화", "합계", "주문 일시", "주문 항목"]
    assert dict(zip(header, values, strict=True)) == {
        "주문 ID": order.pk,
        "주문 번호": "EXT-9",
        "고객 ID": buyer.pk,
        "구매자": mask_name("김영희"),  # a MANAGER sees buyers masked
        "상태": "배송 완료",
        "통화": "원(KRW)",
        "합계": 31800,
        "주문 일시": dt.datetime(2026, 10, 1, 9, 30),  # a real date-time, in Korea's time
        "주문 항목": "KF-001×2@15900",
    }
    assert AuditLog.objects.get(action="export").customer_ids == [buyer.pk]


def test_an_exported_order_file_imports_back_unchanged(manager):
    buyer = CustomerFactory()
    product = ProductFactory(sku="KF-001", price=Decimal("15900"))
    order = OrderFactory(buyer=buyer, items=[(product, 2, None)], status=OrderStatus.SHIPPED, external_ref="EXT-7")
    exported = export_xlsx(manager, "order", [order.pk]).content
    response = upload(manager, "order", exported, name="order.xlsx", fmt="1")
    assert errors_of(response) == {}
    manager.post(reverse("admin:commerce_order_process_import"), response.context["confirm_form"].initial)
    order.refresh_from_db()
    assert (order.status, order.total, order.buyer_id) == (OrderStatus.SHIPPED, Decimal("31800"), buyer.pk)
    assert list(order.items.values_list("product__sku", "quantity")) == [("KF-001", 2)]


# --- imports ---------------------------------------------------------------------------------


def test_product_import_every_error_of_every_row_in_korean_cp949(manager):
    CategoryFactory(name="장류")
    text = (
        "상품 코드,상품명,카테고리,가격,통화,판매 중,이미지 URL\n"
        'KF-300,고추장,장류,"9,900",원(KRW),예,\n'
        "KF-301,된장,장류,abc,KRW,yes,http://x\n"
        ",된장,없음,-5,XXX,maybe,not a url\n"
        "KF-302,,장류,1e99,krw,1,\n"
    )
    for encoding in ("cp949", "utf-8-sig"):
        response = upload(manager, "product", text.encode(encoding))
        assert response.status_code == 200
        assert errors_of(response) == {
            2: {"가격": ["숫자가 아닙니다: 'abc'"], "이미지 URL": ["유효한 URL을 입력하세요."]},
            3: {
                "상품 코드": ["상품 코드는 필수입니다"],
                "카테고리": ["카테고리 '없음'을(를) 찾을 수 없습니다"],
                "가격": ["0 이상이어야 합니다: '-5'"],
                "통화": [f"허용되지 않는 값입니다: 'XXX' (가능한 값: {CURRENCIES})"],
                "판매 중": ["예/아니요 값이 아닙니다: 'maybe' (예, 아니요, Y, N, 1, 0)"],
                "이미지 URL": ["유효한 URL을 입력하세요."],
            },
            4: {
                "상품명": ["이 필드는 빈 칸으로 둘 수 없습니다."],
                "가격": ["전체 자릿수가 12 개를 넘지 않도록 해주세요."],
            },
        }
        html = response.content.decode()
        assert "ConversionSyntax" not in html and "Traceback" not in html and "is_active" not in html
        assert response.context.get("confirm_form") is None
    assert Product.objects.count() == 0  # nothing half-imported


def test_order_import_every_error_of_every_row_in_korean(manager):
    buyer = CustomerFactory()
    ProductFactory(sku="KF-001", price=Decimal("15900"))
    text = (
        "주문 번호,고객 ID,상태,통화,주문 일시,주문 항목\n"
        f"E0,{buyer.pk},배송 완료,원(KRW),2026-10-01 12:00,KF-001×1@15900\n"
        "E1,abc,WHAT,KRW,yesterday,KF-001×1@100\n"
        f",{buyer.pk},PENDING,XXX,2026-10-01 12:00:00,garbage\n"
        f"E3,{buyer.pk},PENDING,KRW,2026-13-01,KF-001×0@1\n"
    )
    response = upload(manager, "order", text.encode("cp949"))
    assert errors_of(response) == {
        2: {
            "고객 ID": ["고객 ID 'abc'을(를) 찾을 수 없습니다"],
            "상태": [f"허용되지 않는 값입니다: 'WHAT' (가능한 값: {STATUSES})"],
            "주문 일시": ["날짜·시간 형식이 아닙니다: 'yesterday' (예: 2026-10-01 12:00)"],
        },
        3: {
            "주문 번호": ["주문 번호는 필수입니다"],
            "주문 항목": ["1번째 항목 'garbage'의 형식이 잘못되었습니다 (SKU×수량@단가)"],
            "통화": [f"허용되지 않는 값입니다: 'XXX' (가능한 값: {CURRENCIES})"],
        },
        4: {
            "주문 항목": ["1번째 항목의 수량은 1 이상이어야 합니다"],
            "주문 일시": ["날짜·시간 형식이 아닙니다: '2026-13-01' (예: 2026-10-01 12:00)"],
        },
    }
    assert Order.objects.count() == 0 and OrderItem.objects.count() == 0


@pytest.mark.parametrize("model", ["product", "order"])
@pytest.mark.parametrize(
    ("content", "name", "fmt"),
    [(b"PK\x03\x04 not really a spreadsheet", "x.xlsx", "1"), (b"\x89PNG\r\n\x1a\n\x00\xff\xfe binary", "x.csv", "0")],
    ids=["broken-xlsx", "binary-as-csv"],
)
def test_wrong_file_type_is_a_korean_form_error(manager, model, content, name, fmt):
    response = upload(manager, model, content, name=name, fmt=fmt)
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [READ_ERROR]
    html = response.content.decode()
    assert "Traceback" not in html and "BadZipFile" not in html and "UnicodeDecodeError" not in html


def test_confirm_writes_nothing_when_a_row_went_bad_after_the_preview(manager):
    buyer = CustomerFactory()
    ProductFactory(sku="KF-001", price=Decimal("15900"))
    gone = ProductFactory(sku="KF-002", price=Decimal("3000"))
    text = (
        "주문 번호,고객 ID,상태,통화,주문 일시,주문 항목\n"
        f"E1,{buyer.pk},PENDING,KRW,2026-10-01 12:00,KF-001×1@15900\n"
        f"E2,{buyer.pk},PENDING,KRW,2026-10-01 12:00,KF-002×1@3000\n"
    )
    preview = upload(manager, "order", text.encode())
    assert errors_of(preview) == {}
    gone.delete()  # someone removes a product before the import is confirmed
    response = manager.post(
        reverse("admin:commerce_order_process_import"), preview.context["confirm_form"].initial, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "가져오지 않았습니다: 미리 보기 뒤에 바뀐 행이 있습니다 (2행). 파일을 다시 올려 확인하세요."
    ]
    assert Order.objects.count() == 0 and OrderItem.objects.count() == 0  # not even E1
    assert not AuditLog.objects.filter(action="create").exists()


def test_an_unforeseen_error_is_a_korean_row_error_not_a_traceback(manager, monkeypatch):
    from django.db import IntegrityError

    CategoryFactory(name="장류")

    def refuse(self, *args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "x"')

    monkeypatch.setattr(Product, "save", refuse)
    response = upload(manager, "product", "상품 코드,상품명,카테고리,가격\nKF-1,고추장,장류,7900\n".encode())
    assert errors_of(response) == {1: {"__all__": [UNEXPECTED_ROW_ERROR]}}
    assert "duplicate key" not in response.content.decode()


def test_english_headers_of_older_files_still_import(manager):
    CategoryFactory(name="장류")
    response = upload(
        manager,
        "product",
        b"sku,name,category,price,currency,is_active\nKF-9,Gochujang,\xec\x9e\xa5\xeb\xa5\x98,7900,KRW,1\n",
    )
    assert errors_of(response) == {}
    manager.post(reverse("admin:commerce_product_process_import"), response.context["confirm_form"].initial)
    assert Product.objects.get(sku="KF-9").category.name == "장류"


@pytest.mark.parametrize(
    ("model", "labels"),
    [
        (
            "product",
            ["상품 코드", "상품명", "영문 상품명", "카테고리", "가격", "통화", "이미지 URL", "설명", "판매 중"],
        ),
        ("order", ["주문 ID", "주문 번호", "고객 ID", "구매자", "상태", "통화", "합계", "주문 일시", "주문 항목"]),
    ],
)
def test_export_page_names_the_columns_as_the_file_does(manager, model, labels):
    form = manager.get(reverse(f"admin:commerce_{model}_export")).context["form"]
    shown = [field.label for name, field in form.fields.items() if name.startswith(f"{model}resource_")]
    assert shown == labels
