"""factory_boy factories for the K-food shop (Faker ``ko_KR``).

``OrderFactory(items=[(product, 2, Decimal("3500"))])`` builds the items and sets ``total`` to
the sum of the subtotals (the rule ``commerce.services.orders`` keeps). Without ``items`` it
adds one item of a new product. Pass ``items=[]`` for an empty order (total 0).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from commerce.models import (
    CartEvent,
    CartEventType,
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
from customers.testing.factories import CustomerFactory

CATEGORY_NAMES = ["김치/반찬", "장류", "라면/면류", "과자/스낵", "음료", "건강식품", "즉석식품", "양념/소스"]


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Iterator(CATEGORY_NAMES)
    name_en = factory.LazyAttribute(lambda o: o.name)
    parent = None
    sort_order = factory.Sequence(lambda n: n)


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"국산 배추김치 {n}호")
    name_en = factory.Sequence(lambda n: f"Cabbage Kimchi No.{n}")
    category = factory.SubFactory(CategoryFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    price = Decimal("12900")
    currency = "KRW"
    image_url = factory.Sequence(lambda n: f"https://img.example.kr/products/{n}.jpg")
    nutrition_facts = factory.LazyFunction(
        lambda: {
            "serving_size_g": 100,
            "calories_kcal": 35,
            "sodium_mg": 650,
            "carbohydrate_g": 6,
            "protein_g": 2,
            "fat_g": 0.5,
        }
    )
    description = "국산 재료로 만든 전통 김치"
    is_active = True


class OrderFactory(DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    buyer = factory.SubFactory(CustomerFactory)
    status = OrderStatus.DELIVERED
    total = Decimal("0")
    currency = "KRW"
    created_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=5))
    external_ref = None

    @factory.post_generation
    def items(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [(ProductFactory(), 1, None)]
        rows = []
        for product, qty, unit_price in extracted:
            price = Decimal(product.price if unit_price is None else unit_price)
            rows.append(OrderItem(order=self, product=product, quantity=qty, unit_price=price, subtotal=price * qty))
        OrderItem.objects.bulk_create(rows)
        self.total = sum((r.subtotal for r in rows), Decimal("0"))
        Order.objects.filter(pk=self.pk).update(total=self.total)


class OrderItemFactory(DjangoModelFactory):
    """A bare item (does not update the order total: prefer ``OrderFactory(items=…)``)."""

    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory, items=[])
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = factory.LazyAttribute(lambda o: o.product.price)
    subtotal = factory.LazyAttribute(lambda o: o.unit_price * o.quantity)


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    customer = factory.SubFactory(CustomerFactory)
    order = None
    rating = 5
    content = "맛있고 배송도 빨라요. 재구매 의사 있습니다!"
    created_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))


class WishlistItemFactory(DjangoModelFactory):
    class Meta:
        model = WishlistItem

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    created_at = factory.LazyFunction(timezone.now)


class CartEventFactory(DjangoModelFactory):
    class Meta:
        model = CartEvent

    customer = factory.SubFactory(CustomerFactory)
    cart_id = factory.Sequence(lambda n: f"cart-{n:06d}")
    product = factory.SubFactory(ProductFactory)
    event = CartEventType.ADDED
    quantity = 1
    order = None
    occurred_at = factory.LazyFunction(timezone.now)


class PageViewFactory(DjangoModelFactory):
    class Meta:
        model = PageView

    customer = factory.SubFactory(CustomerFactory)
    session_id = factory.Sequence(lambda n: f"sess-{n:06d}")
    product = factory.SubFactory(ProductFactory)
    category = factory.LazyAttribute(lambda o: o.product.category if o.product else None)
    path = factory.LazyAttribute(lambda o: f"/products/{o.product.pk}" if o.product else "/")
    duration_seconds = 45
    viewed_at = factory.LazyFunction(timezone.now)


class SearchQueryFactory(DjangoModelFactory):
    class Meta:
        model = SearchQuery

    customer = factory.SubFactory(CustomerFactory)
    session_id = factory.Sequence(lambda n: f"sess-{n:06d}")
    query = "김치"
    results_count = 12
    searched_at = factory.LazyFunction(timezone.now)
