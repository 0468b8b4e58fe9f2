"""The K-food shop: categories, products, orders and items, reviews, wishlists, cart and
browsing events (seed 000). A buyer is a :class:`customers.models.Customer`."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone


class Currency(models.TextChoices):
    """Currencies the shop records (ISO 4217). An order has exactly one: its items carry no
    currency of their own, so an order cannot mix currencies."""

    KRW = "KRW", "원(KRW)"
    USD = "USD", "미국 달러(USD)"
    EUR = "EUR", "유로(EUR)"
    JPY = "JPY", "엔(JPY)"
    CNY = "CNY", "위안(CNY)"
    GBP = "GBP", "파운드(GBP)"


class Category(models.Model):
    """A product category (김치/반찬, 장류, 라면/면류, …)."""

    name = models.CharField("카테고리명", max_length=100, unique=True)
    name_en = models.CharField("영문명", max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="상위 카테고리"
    )
    sort_order = models.PositiveSmallIntegerField("정렬 순서", default=0)

    class Meta:
        verbose_name = "카테고리"
        verbose_name_plural = "카테고리"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product. Its rating average is derived from reviews (``selectors``), never stored."""

    name = models.CharField("상품명", max_length=200, db_index=True)
    name_en = models.CharField("영문 상품명", max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products", verbose_name="카테고리")
    sku = models.CharField("상품 코드", max_length=64, null=True, blank=True, unique=True)
    price = models.DecimalField("가격", max_digits=12, decimal_places=2)
    currency = models.CharField("통화", max_length=3, choices=Currency.choices, default=Currency.KRW)
    # optional: with it the price optimiser (ml.pricing) can maximise profit, without it only revenue
    unit_cost = models.DecimalField(
        "단위 원가",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="상품 1개의 원가(상품 통화). 입력하면 가격 최적화가 이익 기준으로도 계산합니다.",
    )
    image_url = models.URLField("이미지 URL", max_length=500, blank=True)
    nutrition_facts = models.JSONField("영양 성분", default=dict, blank=True)
    description = models.TextField("설명", blank=True)
    is_active = models.BooleanField("판매 중", default=True)
    created_at = models.DateTimeField("등록일", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("수정일", auto_now=True)
    # the last image check (imaging.services.product_image_check; docs/imaging.md)
    image_check_passed = models.BooleanField("이미지 검사 통과", null=True, blank=True, editable=False)
    image_check_score = models.FloatField("이미지 품질 점수", null=True, blank=True, editable=False)
    image_checked_at = models.DateTimeField("이미지 검사 일시", null=True, blank=True, editable=False)
    image_check_result = models.JSONField("이미지 검사 결과", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "상품"
        verbose_name_plural = "상품"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["category", "is_active"]),
            models.Index(fields=["updated_at", "id"], name="product_updated_cursor"),  # etl sync
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0), name="product_unit_cost_non_negative"
            ),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="product_currency_known"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PENDING = "PENDING", "주문 접수"
    CONFIRMED = "CONFIRMED", "주문 확인"
    PREPARING = "PREPARING", "상품 준비"
    SHIPPED = "SHIPPED", "배송 중"
    DELIVERED = "DELIVERED", "배송 완료"
    CANCELLED = "CANCELLED", "취소"


# seed 000 groups statuses: DELIVERED = completed, CANCELLED = cancelled, the rest = pending
OPEN_STATUSES = (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PREPARING, OrderStatus.SHIPPED)


class Order(models.Model):
    """An order in one currency. ``total`` equals the sum of its items' subtotals
    (kept by ``commerce.services``; a test checks it)."""

    buyer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders", verbose_name="구매자"
    )
    status = models.CharField("상태", max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    total = models.DecimalField("합계", max_digits=14, decimal_places=2, default=0)
    currency = models.CharField("통화", max_length=3, choices=Currency.choices, default=Currency.KRW)
    created_at = models.DateTimeField("주문 일시", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("수정 일시", auto_now=True)
    # invoice number from an imported log (import_transactions); makes re-imports idempotent
    external_ref = models.CharField("외부 주문 번호", max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "주문"
        verbose_name_plural = "주문"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["buyer", "created_at"]),
            models.Index(fields=["created_at", "status", "currency"]),
            models.Index(fields=["updated_at", "id"], name="order_updated_cursor"),  # etl sync
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="order_currency_known"),
        ]

    def __str__(self) -> str:
        return f"주문 #{self.pk}"


class OrderItem(models.Model):
    """A line of an order; ``subtotal = quantity × unit_price`` in the order's currency."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", verbose_name="주문")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items", verbose_name="상품")
    quantity = models.PositiveIntegerField("수량")
    unit_price = models.DecimalField("단가", max_digits=12, decimal_places=2)
    subtotal = models.DecimalField("소계", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "주문 항목"
        verbose_name_plural = "주문 항목"
        indexes = [models.Index(fields=["product", "order"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_item_price_non_negative"),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_item_subtotal_non_negative"),
            # a tolerance of half a cent: SQLite computes quantity × unit_price in floating point
            models.CheckConstraint(
                condition=Q(subtotal__gte=F("quantity") * F("unit_price") - Value(Decimal("0.005")))
                & Q(subtotal__lte=F("quantity") * F("unit_price") + Value(Decimal("0.005"))),
                name="order_item_subtotal_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


SENTIMENT_CHOICES = [("positive", "긍정"), ("neutral", "중립"), ("negative", "부정")]


class Review(models.Model):
    """A product review by a customer, rating 1–5."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews", verbose_name="상품")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="reviews", verbose_name="작성자"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews", verbose_name="주문"
    )
    rating = models.PositiveSmallIntegerField("평점")
    content = models.TextField("내용", blank=True)
    created_at = models.DateTimeField("작성 일시", db_index=True)
    # Written by ml's sentiment scoring (docs/sentiment.md); empty until the review is scored.
    # (database defaults too: bulk loaders insert reviews without these columns)
    sentiment = models.CharField(
        "감정", max_length=8, choices=SENTIMENT_CHOICES, blank=True, default="", db_default="", db_index=True
    )
    sentiment_scores = models.JSONField("감정 점수", null=True, blank=True)
    sentiment_aspects = models.JSONField("측면별 감정", null=True, blank=True)
    sentiment_model_version = models.CharField("감정 모델 버전", max_length=96, blank=True, default="", db_default="")
    sentiment_scored_at = models.DateTimeField("감정 분석 일시", null=True, blank=True)

    class Meta:
        verbose_name = "리뷰"
        verbose_name_plural = "리뷰"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["product", "created_at"]), models.Index(fields=["customer", "created_at"])]
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_range")]

    def __str__(self) -> str:
        return f"{self.product} ★{self.rating}"


class WishlistItem(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="wishlist", verbose_name="고객"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="wishlisted", verbose_name="상품")
    created_at = models.DateTimeField("추가 일시", default=timezone.now)

    class Meta:
        verbose_name = "위시리스트"
        verbose_name_plural = "위시리스트"
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="wishlist_unique")]

    def __str__(self) -> str:
        return f"♡ {self.product}"


class CartEventType(models.TextChoices):
    ADDED = "added", "담기"
    REMOVED = "removed", "빼기"
    CHECKED_OUT = "checked_out", "결제"


class CartEvent(models.Model):
    """A cart event. A cart (``cart_id``) with ``added`` events and no ``checked_out`` is
    abandoned; abandonment rate = abandoned carts / carts with an ``added`` event."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="cart_events", verbose_name="고객"
    )
    cart_id = models.CharField("장바구니 ID", max_length=64, db_index=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="상품"
    )
    event = models.CharField("이벤트", max_length=12, choices=CartEventType.choices)
    quantity = models.PositiveIntegerField("수량", default=1)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="주문"
    )
    occurred_at = models.DateTimeField("발생 일시", db_index=True)

    class Meta:
        verbose_name = "장바구니 이벤트"
        verbose_name_plural = "장바구니 이벤트"
        indexes = [models.Index(fields=["customer", "occurred_at"]), models.Index(fields=["event", "occurred_at"])]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_event_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.cart_id} {self.event}"


class PageView(models.Model):
    """A page view in a browsing session; ``duration_seconds`` is time on the page."""

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="page_views",
        verbose_name="고객",
    )
    session_id = models.CharField("세션 ID", max_length=64, db_index=True)
    path = models.CharField("경로", max_length=300)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="상품"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="카테고리"
    )
    duration_seconds = models.PositiveIntegerField("체류 시간(초)", default=0)
    viewed_at = models.DateTimeField("조회 일시", db_index=True)

    class Meta:
        verbose_name = "페이지 조회"
        verbose_name_plural = "페이지 조회"
        indexes = [models.Index(fields=["customer", "viewed_at"])]

    def __str__(self) -> str:
        return self.path


class SearchQuery(models.Model):
    """A search typed in the shop."""

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="searches",
        verbose_name="고객",
    )
    session_id = models.CharField("세션 ID", max_length=64, blank=True)
    query = models.CharField("검색어", max_length=200)
    results_count = models.PositiveIntegerField("결과 수", default=0)
    searched_at = models.DateTimeField("검색 일시", db_index=True)

    class Meta:
        verbose_name = "검색어"
        verbose_name_plural = "검색어"
        indexes = [models.Index(fields=["customer", "searched_at"])]

    def __str__(self) -> str:
        return self.query


class DeletionLog(models.Model):
    """A row deleted or deactivated by a commerce service (``product_delete``,
    ``product_deactivate``, ``order_delete``). Downstream copies (the search index, ``etl``)
    read it in ``id`` order to remove what no longer exists; written in the same transaction
    as the delete, never by signals."""

    class Entity(models.TextChoices):
        PRODUCT = "product", "상품"
        ORDER = "order", "주문"

    class Reason(models.TextChoices):
        DELETED = "deleted", "삭제"
        DEACTIVATED = "deactivated", "판매 중지"

    entity = models.CharField("대상", max_length=20, choices=Entity.choices)
    object_id = models.BigIntegerField("대상 ID")
    reason = models.CharField("사유", max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField("기록 일시", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "삭제 기록"
        verbose_name_plural = "삭제 기록"
        ordering = ["id"]
        indexes = [models.Index(fields=["entity", "id"], name="deletion_log_entity_id")]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} #{self.object_id} {self.get_reason_display()}"
