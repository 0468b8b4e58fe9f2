"""Orders, reviews, wishlists and cart events through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import AuditLog
from accounts.principal import system_principal
from commerce.models import CartEvent, Order, OrderItem, OrderStatus, Review, WishlistItem
from commerce.selectors.orders import orders_total_mismatch
from commerce.selectors.products import products_with_ratings
from commerce.services.engagement import cart_event_record, review_create, wishlist_add, wishlist_remove
from commerce.services.orders import order_create, order_status_change
from commerce.testing.factories import OrderFactory, ProductFactory
from core.cache import scope_version
from core.errors import ApiError
from customers.testing.factories import CustomerFactory

ACTOR = system_principal("test")
pytestmark = pytest.mark.django_db


def test_order_total_is_sum_of_subtotals_and_invalidates():
    buyer = CustomerFactory()
    kimchi, ramen = ProductFactory(price=Decimal("12900")), ProductFactory(price=Decimal("4500"))
    shop, mine = scope_version("shop"), scope_version(f"customer:{buyer.pk}")

    order = order_create(actor=ACTOR, buyer=buyer, items=[(kimchi, 2, None), (ramen, 3, "4200")], currency="KRW")

    assert order.total == Decimal("38400")  # 2 × 12900 + 3 × 4200
    assert sorted(order.items.values_list("subtotal", flat=True)) == [Decimal("12600"), Decimal("25800")]
    assert order.status == OrderStatus.PENDING
    assert not orders_total_mismatch().exists()
    assert scope_version("shop") > shop and scope_version(f"customer:{buyer.pk}") > mine
    row = AuditLog.objects.get(query__entity="order")
    assert row.customer_ids == [buyer.pk] and row.query["total"] == "38400.00"


def test_usd_order_keeps_cents():
    order = order_create(
        actor=ACTOR,
        buyer=CustomerFactory(),
        items=[(ProductFactory(), 3, "2.55"), (ProductFactory(), 7, "0.29")],
        currency="USD",
    )
    assert order.total == Decimal("9.68")
    assert not orders_total_mismatch().exists()


def test_mismatch_selector_finds_a_drifted_total():
    order = OrderFactory()
    Order.objects.filter(pk=order.pk).update(total=order.total + 1)
    assert list(orders_total_mismatch()) == [order]


@pytest.mark.parametrize(
    ("items", "currency"),
    [("empty", "KRW"), ("zero", "KRW"), ("negative", "KRW"), ("ok", "XYZ")],
)
def test_order_refusals_change_nothing(items, currency):
    product = ProductFactory()
    lines = {
        "zero": [(product, 0, None)],
        "negative": [(product, 1, "-5")],
        "ok": [(product, 1, None)],
        "empty": [],
    }.get(items, items)
    with pytest.raises(ApiError) as exc:
        order_create(actor=ACTOR, buyer=CustomerFactory(), items=lines, currency=currency)
    assert exc.value.code == "VALIDATION_ERROR"
    assert Order.objects.count() == 0 and OrderItem.objects.count() == 0 and AuditLog.objects.count() == 0


def test_status_transitions():
    order = order_create(actor=ACTOR, buyer=CustomerFactory(), items=[(ProductFactory(), 1, None)], currency="KRW")
    for status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING, OrderStatus.SHIPPED):
        order_status_change(actor=ACTOR, order=order, status=status)
    with pytest.raises(ApiError) as exc:
        order_status_change(actor=ACTOR, order=order, status=OrderStatus.CANCELLED)
    assert (exc.value.code, exc.value.status_code) == ("INVALID_STATUS_TRANSITION", 409)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    order_status_change(actor=ACTOR, order=order, status=OrderStatus.DELIVERED)
    with pytest.raises(ApiError):
        order_status_change(actor=ACTOR, order=order, status=OrderStatus.PENDING)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert AuditLog.objects.filter(action="update", query__entity="order").count() == 4


def test_review_rules_and_rating_average():
    buyer, other = CustomerFactory(), CustomerFactory()
    product = ProductFactory()
    order = OrderFactory(buyer=buyer, items=[(product, 1, None)])
    review_create(actor=ACTOR, product=product, customer=buyer, rating=5, content="정말 맛있어요", order=order)
    review_create(actor=ACTOR, product=product, customer=other, rating=2, content="너무 짜요")
    with pytest.raises(ApiError) as exc:
        review_create(actor=ACTOR, product=product, customer=other, rating=4, order=order)
    assert exc.value.code == "ORDER_NOT_OWNED"
    with pytest.raises(ApiError) as exc:
        review_create(actor=ACTOR, product=ProductFactory(), customer=buyer, rating=4, order=order)
    assert exc.value.code == "PRODUCT_NOT_IN_ORDER"
    with pytest.raises(ApiError):
        review_create(actor=ACTOR, product=product, customer=buyer, rating=6)
    assert Review.objects.count() == 2
    rated = products_with_ratings().get(pk=product.pk)
    assert (rated.rating_average, rated.review_count) == (3.5, 2)


def test_wishlist_is_idempotent_and_cart_events_validated():
    customer, product = CustomerFactory(), ProductFactory()
    assert wishlist_add(actor=ACTOR, customer=customer, product=product)[1] is True
    assert wishlist_add(actor=ACTOR, customer=customer, product=product)[1] is False
    assert WishlistItem.objects.count() == 1
    assert wishlist_remove(actor=ACTOR, customer=customer, product=product) is True
    assert wishlist_remove(actor=ACTOR, customer=customer, product=product) is False
    assert AuditLog.objects.filter(query__entity="wishlist").count() == 2

    cart_event_record(actor=ACTOR, customer=customer, cart_id="c1", event="added", product=product, quantity=2)
    with pytest.raises(ApiError):
        cart_event_record(actor=ACTOR, customer=customer, cart_id="c1", event="added")
    with pytest.raises(ApiError):
        cart_event_record(actor=ACTOR, customer=customer, cart_id="c1", event="bought", product=product)
    assert CartEvent.objects.count() == 1
