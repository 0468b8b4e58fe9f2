"""The shop's admin writes through ``accounts.backoffice.writes``: an order the service refuses
(the form again, nothing saved) and deletion of selected products and orders through
``commerce.services.products`` (one deletion-log row each)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditLog
from commerce.models import DeletionLog, Order, Product
from commerce.testing.factories import OrderFactory, ProductFactory
from customers.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_order_without_lines_is_refused_with_the_reason_and_nothing_saved(backoffice_client_for):
    manager = backoffice_client_for("MANAGER")
    buyer = CustomerFactory()
    response = manager.post(
        reverse("admin:commerce_order_add"),
        {
            "buyer": buyer.pk,
            "currency": "KRW",
            "created_at_0": "2026-11-01",
            "created_at_1": "10:00:00",
            "status": "PENDING",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "_save": "저장",
        },
    )
    assert response.status_code == 200
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        ("error", "저장하지 못했습니다: 주문 항목이 없습니다")
    ]
    assert response.context["adminform"].form.initial["buyer"] == str(buyer.pk)
    assert Order.objects.count() == 0
    assert not AuditLog.objects.filter(action="create").exists()


def test_deleting_selected_products_and_orders_goes_through_the_services(backoffice_client_for):
    admin = backoffice_client_for("ADMIN")
    first, second = ProductFactory(), ProductFactory()
    response = admin.post(
        reverse("admin:commerce_product_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Product.objects.filter(pk__in=[first.pk, second.pk]).exists()
    # an order without lines: the delete page refuses an order with lines, since order lines
    # are read-only in the admin (the service would delete them with the order)
    order = OrderFactory(buyer=CustomerFactory(), items=[])
    response = admin.post(
        reverse("admin:commerce_order_changelist"),
        {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Order.objects.filter(pk=order.pk).exists()
    logged = sorted(DeletionLog.objects.values_list("entity", "object_id", "reason"))
    assert logged == sorted(
        [("product", first.pk, "deleted"), ("product", second.pk, "deleted"), ("order", order.pk, "deleted")]
    )
    assert AuditLog.objects.filter(action="delete").count() == 3
