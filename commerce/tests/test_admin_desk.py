"""Issue 17 in the shop's admin: order status choices, the product page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.models import OrderStatus
from commerce.testing.factories import OrderFactory, ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_order_status_dropdown_offers_only_valid_transitions(backoffice_client_for):
    manager = backoffice_client_for("MANAGER")
    order = OrderFactory(status=OrderStatus.CONFIRMED)
    form = manager.get(reverse("admin:commerce_order_change", args=[order.pk])).context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == ["CONFIRMED", "PREPARING", "CANCELLED"]
    done = OrderFactory(status=OrderStatus.DELIVERED)
    form = manager.get(reverse("admin:commerce_order_change", args=[done.pk])).context["adminform"].form
    assert "status" not in form.fields  # nothing left to choose: shown read-only


def test_product_page_shows_rating_reviews_image_and_nutrition(backoffice_client_for):
    manager = backoffice_client_for("MANAGER")
    product = ProductFactory(price=Decimal("12900"), image_url="https://img.example.kr/products/1.jpg")
    ReviewFactory(product=product, rating=5, content="아삭하고 맛있어요")
    ReviewFactory(product=product, rating=4, content="조금 짜요")
    html = manager.get(reverse("admin:commerce_product_change", args=[product.pk])).content.decode()
    assert "★ 4.5 / 5 (리뷰 2건)" in html
    assert "아삭하고 맛있어요" in html and "리뷰 모두 보기" in html
    assert '<img src="https://img.example.kr/products/1.jpg"' in html
    assert "<th>나트륨 (mg)</th><td style='text-align:right'>650</td>" in html
    assert "<th>지방 (g)</th><td style='text-align:right'>0.5</td>" in html
    reviews = manager.get(reverse("admin:commerce_review_changelist") + f"?product__id__exact={product.pk}")
    assert reviews.status_code == 200 and "조금 짜요" in reviews.content.decode()


def test_product_page_audits_the_reviewers_shown(backoffice_client_for):
    from accounts.models import AuditLog

    admin = backoffice_client_for("ADMIN")
    product = ProductFactory()
    review = ReviewFactory(product=product, rating=5)
    admin.get(reverse("admin:commerce_product_change", args=[product.pk]))
    row = AuditLog.objects.get(query__view="product-recent-reviews")
    assert row.customer_ids == [review.customer_id] and row.fields_unmasked == ["name"]
