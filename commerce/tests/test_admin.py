"""The shop's back office: pages per role, masking of buyers, orders through the services,
product and order import/export, and changelist query bounds."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.masking import mask_name
from accounts.models import AuditLog
from commerce.models import (
    CartEvent,
    Category,
    Order,
    OrderItem,
    OrderStatus,
    PageView,
    Product,
    Review,
    SearchQuery,
    WishlistItem,
)
from commerce.testing.factories import (
    CartEventFactory,
    CategoryFactory,
    OrderFactory,
    PageViewFactory,
    ProductFactory,
    ReviewFactory,
    SearchQueryFactory,
    WishlistItemFactory,
)
from customers.testing.factories import CustomerFactory
from ml.models import ModelArtifact

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(backoffice_client_for):
    return backoffice_client_for("STAFF")


@pytest.fixture
def manager(backoffice_client_for):
    return backoffice_client_for("MANAGER")


@pytest.fixture
def admin(backoffice_client_for):
    return backoffice_client_for("ADMIN")


@pytest.fixture
def shop(db):
    buyer = CustomerFactory(name="김영희", phone="010-1234-5678")
    product = ProductFactory(name="포기김치 1kg", sku="KF-001", price=Decimal("15900"))
    order = OrderFactory(buyer=buyer, items=[(product, 2, None)], status=OrderStatus.PENDING)
    ReviewFactory(product=product, customer=buyer, order=order)
    WishlistItemFactory(customer=buyer, product=product)
    CartEventFactory(customer=buyer, product=product)
    PageViewFactory(customer=buyer, product=product)
    SearchQueryFactory(customer=buyer)
    ModelArtifact.objects.create(name="center_churn", version="v1", blob=b"x", sha256="0" * 64, metrics={"auc": 0.81})
    return {"buyer": buyer, "product": product, "order": order}


MODELS = [Category, Product, Order, OrderItem, Review, WishlistItem, CartEvent, PageView, SearchQuery, ModelArtifact]
STAFF_VISIBLE = {Category, Product, Order, OrderItem, Review}


@pytest.mark.parametrize("role", ["STAFF", "ADMIN"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_page_per_role(model, role, shop, staff, admin):
    client = staff if role == "STAFF" else admin
    expected = 200 if (role == "ADMIN" or model in STAFF_VISIBLE) else 403
    opts = model._meta
    obj = model.objects.first()
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == expected
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == expected
    )


def test_order_pages_show_buyer_masked_and_audit(shop, staff):
    order = shop["order"]
    listing = staff.get(reverse("admin:commerce_order_changelist")).content.decode()
    detail = staff.get(reverse("admin:commerce_order_change", args=[order.pk])).content.decode()
    for html in (listing, detail):
        assert "김영희" not in html
        assert mask_name("김영희") in html
    assert "포기김치 1kg" in detail  # the order's items inline
    assert AuditLog.objects.get(action="list").customer_ids == [shop["buyer"].pk]
    assert AuditLog.objects.get(action="view").customer_ids == [shop["buyer"].pk]


def test_order_status_change_goes_through_the_service(shop, manager):
    order = shop["order"]
    url = reverse("admin:commerce_order_change", args=[order.pk])
    inline = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    inline["items-0-id"] = str(order.items.get().pk)
    assert manager.post(url, {"status": "CONFIRMED", "_save": "저장", **inline}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    row = AuditLog.objects.get(action="update")
    assert row.query["status"] == {"old": "PENDING", "new": "CONFIRMED"}
    # a transition the service would refuse is not even a choice of the form: nothing changes
    response = manager.post(url, {"status": "DELIVERED", "_save": "저장", **inline})
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert AuditLog.objects.filter(action="update").count() == 1


def test_order_add_goes_through_the_service(shop, manager):
    product = shop["product"]
    buyer = shop["buyer"]
    data = {
        "buyer": buyer.pk,
        "currency": "KRW",
        "created_at_0": "2026-11-01",
        "created_at_1": "10:00:00",
        "status": "PENDING",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-product": product.pk,
        "items-0-quantity": "3",
        "items-0-unit_price": "15000",
        "_save": "저장",
    }
    response = manager.post(reverse("admin:commerce_order_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    order = Order.objects.exclude(pk=shop["order"].pk).get()
    assert order.total == Decimal("45000")
    assert list(order.items.values_list("quantity", "subtotal")) == [(3, Decimal("45000"))]


def test_order_changelist_query_count_is_bounded(staff):
    url = reverse("admin:commerce_order_changelist")
    OrderFactory.create_batch(3)
    staff.get(url)
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    OrderFactory.create_batch(25)
    with CaptureQueriesContext(connection) as many:
        assert staff.get(url).status_code == 200
    assert len(many) == len(few)


def test_product_changelist_query_count_is_bounded(staff):
    url = reverse("admin:commerce_product_changelist")
    ReviewFactory.create_batch(3)
    staff.get(url)
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    ReviewFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        assert staff.get(url).status_code == 200
    assert len(many) == len(few)


# --- import / export ---------------------------------------------------------------------
def upload(client, model: str, text: str):
    return client.post(
        reverse(f"admin:commerce_{model}_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(f"{model}.csv", text.encode("utf-8"))},
    )


def test_product_import_with_a_bad_row_writes_nothing(manager):
    CategoryFactory(name="김치/반찬")
    text = "sku,name,category,price,currency\nKF-100,열무김치,김치/반찬,9900,krw\nKF-101,총각김치,없는분류,8900,KRW\n"
    response = upload(manager, "product", text)
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert result.invalid_rows[0].field_specific_errors == {"카테고리": ["카테고리 '없는분류'을(를) 찾을 수 없습니다"]}
    assert response.context.get("confirm_form") is None
    assert Product.objects.count() == 0


def test_product_import_confirm(manager):
    CategoryFactory(name="장류")
    response = upload(manager, "product", "sku,name,category,price,currency\nKF-200,고추장 500g,장류,7900,KRW\n")
    manager.post(reverse("admin:commerce_product_process_import"), response.context["confirm_form"].initial)
    product = Product.objects.get()
    assert (product.sku, product.name, product.category.name, product.price) == (
        "KF-200",
        "고추장 500g",
        "장류",
        Decimal("7900"),
    )


def test_order_import_creates_items_and_total(shop, manager):
    buyer = shop["buyer"]
    ProductFactory(sku="KF-002", price=Decimal("3000"))
    text = (
        "external_ref,buyer_id,status,currency,created_at,order_items\n"
        f"EXT-1,{buyer.pk},DELIVERED,KRW,2026-10-01 12:00:00,KF-001×2@15900; KF-002×3@3000\n"
    )
    response = upload(manager, "order", text)
    result = response.context["result"]
    assert not result.has_errors(), [e.error for row in result.rows for e in row.errors][:1]
    assert not result.invalid_rows, [r.error_dict for r in result.invalid_rows]
    assert response.context["confirm_form"] is not None
    manager.post(reverse("admin:commerce_order_process_import"), response.context["confirm_form"].initial)
    order = Order.objects.get(external_ref="EXT-1")
    assert order.total == Decimal("40800")
    assert sorted(order.items.values_list("product__sku", "quantity", "subtotal")) == [
        ("KF-001", 2, Decimal("31800")),
        ("KF-002", 3, Decimal("9000")),
    ]
    assert AuditLog.objects.get(action="create", query__import=True).customer_ids == [buyer.pk]


def test_order_import_refuses_unknown_sku_and_buyer(shop, manager):
    text = (
        "external_ref,buyer_id,status,currency,created_at,order_items\n"
        f"EXT-2,{shop['buyer'].pk},PENDING,KRW,2026-10-01 12:00:00,NOPE×1@100\n"
        "EXT-3,999999,PENDING,KRW,2026-10-01 12:00:00,KF-001×1@100\n"
    )
    result = upload(manager, "order", text).context["result"]
    assert [row.number for row in result.invalid_rows] == [1, 2]
    assert result.invalid_rows[0].field_specific_errors == {"주문 항목": ["상품 코드를 찾을 수 없습니다: NOPE"]}
    assert result.invalid_rows[1].field_specific_errors == {"고객 ID": ["고객 ID '999999'을(를) 찾을 수 없습니다"]}
    assert Order.objects.count() == 1
    assert OrderItem.objects.count() == 1


def test_order_export_masks_buyer_name(shop, manager):
    response = manager.post(
        reverse("admin:commerce_order_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"orderresource_{f}": "on" for f in ("id", "buyer_name", "total", "order_items")},
        },
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        {
            "주문 ID": str(shop["order"].pk),
            "구매자": mask_name("김영희"),
            "합계": "31800.00",
            "주문 항목": "KF-001×2@15900",
        }
    ]
    audit = AuditLog.objects.get(action="export")
    assert audit.customer_ids == [shop["buyer"].pk]
