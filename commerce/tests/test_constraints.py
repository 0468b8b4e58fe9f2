"""The shop's database constraints refuse bad rows written directly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from commerce.models import CartEvent, Order, OrderItem, Product, Review
from commerce.testing.factories import CartEventFactory, OrderFactory, ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def refused(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_review_rating_in_range():
    review = ReviewFactory()
    refused(lambda: Review.objects.filter(pk=review.pk).update(rating=0))
    refused(lambda: Review.objects.filter(pk=review.pk).update(rating=6))


def test_money_non_negative_and_known_currency():
    product = ProductFactory()
    order = OrderFactory(items=[(product, 2, Decimal("3500"))])
    refused(lambda: Product.objects.filter(pk=product.pk).update(price=-1))
    refused(lambda: Order.objects.filter(pk=order.pk).update(total=-1))
    refused(lambda: Order.objects.filter(pk=order.pk).update(currency="XXX"))
    refused(lambda: Product.objects.filter(pk=product.pk).update(currency="BTC"))
    refused(lambda: CartEvent.objects.filter(pk=CartEventFactory().pk).update(quantity=0))


def test_item_subtotal_must_equal_quantity_times_price():
    product = ProductFactory()
    order = OrderFactory(items=[])
    # fractional prices that floating point gets wrong are accepted when right
    OrderItem.objects.create(
        order=order, product=product, quantity=3, unit_price=Decimal("2.55"), subtotal=Decimal("7.65")
    )
    refused(
        lambda: OrderItem.objects.create(
            order=order, product=product, quantity=3, unit_price=Decimal("2.55"), subtotal=Decimal("7.66")
        )
    )
    refused(
        lambda: OrderItem.objects.create(order=order, product=product, quantity=0, unit_price=Decimal("1"), subtotal=0)
    )
    refused(
        lambda: OrderItem.objects.create(
            order=order, product=product, quantity=1, unit_price=Decimal("-1"), subtotal=Decimal("-1")
        )
    )
