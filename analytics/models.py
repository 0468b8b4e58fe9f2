"""Rollup tables of the shop dashboard (seed 000 §2.1), kept exact by PostgreSQL triggers.

The triggers (migration ``0002_shop_rollup_triggers``) update these rows in the same
transaction as every insert, update or delete of ``commerce_order``, ``commerce_orderitem`` and
``commerce_review``, so a committed order is always counted exactly once. Days are calendar
days in ``settings.TIME_ZONE`` at the time the triggers were installed (recorded in
:class:`ShopRollupState`); if the setting changes, the dashboard computes from the orders
directly until ``manage.py rebuild_shop_rollups`` re-installs them for the new zone.

On SQLite (the embedded default) the tables exist but stay empty and unused: the dashboard
computes from the orders directly there.
"""

from __future__ import annotations

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class ShopRollupState(models.Model):
    """One row: the time zone the rollups were built in and when they were last rebuilt."""

    time_zone = models.CharField("시간대", max_length=64)
    rebuilt_at = models.DateTimeField("재구성 시각", null=True, blank=True)

    class Meta:
        verbose_name = "샵 집계 상태"
        verbose_name_plural = "샵 집계 상태"

    def __str__(self) -> str:
        return self.time_zone


class ShopDailySales(models.Model):
    """Orders and their totals per local day, currency and status."""

    day = models.DateField("일자")
    currency = models.CharField("통화", max_length=3)
    status = models.CharField("상태", max_length=10)
    orders_count = models.BigIntegerField("주문 수", default=0)
    revenue = models.DecimalField("매출", max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = "일별 매출 집계"
        verbose_name_plural = "일별 매출 집계"
        constraints = [models.UniqueConstraint(fields=["day", "currency", "status"], name="shop_daily_sales_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} {self.status}"


class ShopDailyProductSales(models.Model):
    """Order lines per local day, product, currency and order status."""

    day = models.DateField("일자")
    product_id = models.BigIntegerField("상품 ID")
    currency = models.CharField("통화", max_length=3)
    status = models.CharField("상태", max_length=10)
    quantity = models.BigIntegerField("수량", default=0)
    lines = models.BigIntegerField("주문 항목 수", default=0)
    revenue = models.DecimalField("매출", max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = "일별 상품 판매 집계"
        verbose_name_plural = "일별 상품 판매 집계"
        constraints = [
            models.UniqueConstraint(fields=["day", "product_id", "currency", "status"], name="shop_daily_product_key")
        ]
        indexes = [
            models.Index(fields=["status", "day"], name="shop_daily_product_st_day"),
            models.Index(fields=["product_id", "status", "day"], name="shop_daily_product_prod"),
        ]

    def __str__(self) -> str:
        return f"{self.day} #{self.product_id}"


class ShopBuyerDay(models.Model):
    """A buyer's non-cancelled orders on one local day (one row per buyer and day with any)."""

    day = models.DateField("일자")
    buyer_id = models.BigIntegerField("구매자 ID")
    orders_count = models.IntegerField("주문 수(취소 제외)", default=0)
    delivered_count = models.IntegerField("배송 완료 주문 수", default=0)

    class Meta:
        verbose_name = "일별 구매자 집계"
        verbose_name_plural = "일별 구매자 집계"
        constraints = [models.UniqueConstraint(fields=["day", "buyer_id"], name="shop_buyer_day_key")]
        indexes = [models.Index(fields=["buyer_id", "day"], name="shop_buyer_day_buyer")]

    def __str__(self) -> str:
        return f"{self.day} #{self.buyer_id}"


class ShopBuyerFirstOrder(models.Model):
    """The local day of each buyer's first non-cancelled order (new vs returning buyers)."""

    buyer_id = models.BigIntegerField("구매자 ID", primary_key=True)
    first_day = models.DateField("첫 주문일", db_index=True)

    class Meta:
        verbose_name = "구매자 첫 주문"
        verbose_name_plural = "구매자 첫 주문"

    def __str__(self) -> str:
        return f"#{self.buyer_id} {self.first_day}"


class ShopDailyReviews(models.Model):
    """Reviews written per local day: count and sum of ratings (average = sum / count)."""

    day = models.DateField("일자", unique=True)
    reviews_count = models.BigIntegerField("리뷰 수", default=0)
    rating_sum = models.BigIntegerField("평점 합", default=0)

    class Meta:
        verbose_name = "일별 리뷰 집계"
        verbose_name_plural = "일별 리뷰 집계"

    def __str__(self) -> str:
        return str(self.day)


class ShopDailyCategorySales(models.Model):
    """Order lines per local day, category (the product's current one), currency and status.
    A product moved to another category moves its rows too (trigger on ``commerce_product``)."""

    day = models.DateField("일자")
    category_id = models.BigIntegerField("카테고리 ID")
    currency = models.CharField("통화", max_length=3)
    status = models.CharField("상태", max_length=10)
    quantity = models.BigIntegerField("수량", default=0)
    lines = models.BigIntegerField("주문 항목 수", default=0)
    revenue = models.DecimalField("매출", max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = "일별 카테고리 판매 집계"
        verbose_name_plural = "일별 카테고리 판매 집계"
        constraints = [
            models.UniqueConstraint(fields=["day", "category_id", "currency", "status"], name="shop_daily_category_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} 카테고리 #{self.category_id}"


class ShopDailyBuyers(models.Model):
    """Distinct buyers with a DELIVERED order per local day (the daily trend's ``users``)."""

    day = models.DateField("일자", unique=True)
    delivered_buyers = models.IntegerField("배송 완료 구매자 수", default=0)

    class Meta:
        verbose_name = "일별 구매자 수"
        verbose_name_plural = "일별 구매자 수"

    def __str__(self) -> str:
        return str(self.day)


class VarBitField(models.Field):
    """PostgreSQL ``varbit``; only read by SQL aggregates (``bit_or``, ``bit_count``)."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "varbit" if connection.vendor == "postgresql" else "blob"


BUYER_BITMAP_BITS = 8192


class ShopBuyerBitmap(models.Model):
    """Which buyers had a non-cancelled order on a local day: bit ``buyer_id % 8192`` of chunk
    ``buyer_id // 8192``. OR-ing a range's bitmaps and counting bits gives the exact number of
    distinct active buyers (and, AND-ed with the previous period, the retained ones) without
    scanning one row per buyer and day. Kept in step with :class:`ShopBuyerDay` by the triggers."""

    day = models.DateField("일자")
    chunk = models.IntegerField("구간")
    bits = VarBitField("구매자 비트맵")

    class Meta:
        verbose_name = "일별 구매자 비트맵"
        verbose_name_plural = "일별 구매자 비트맵"
        constraints = [models.UniqueConstraint(fields=["day", "chunk"], name="shop_buyer_bitmap_key")]

    def __str__(self) -> str:
        return f"{self.day} #{self.chunk}"


class ShopBuyerMonthBitmap(models.Model):
    """The OR of a calendar month's :class:`ShopBuyerBitmap` rows: a year's distinct buyers
    read 12 monthly rows per chunk instead of 365 daily ones (edge days still come from the
    daily bitmaps). A bit is cleared when the buyer has no order left on any day of the month."""

    month = models.DateField("월(1일)")
    chunk = models.IntegerField("구간")
    bits = VarBitField("구매자 비트맵")

    class Meta:
        verbose_name = "월별 구매자 비트맵"
        verbose_name_plural = "월별 구매자 비트맵"
        constraints = [models.UniqueConstraint(fields=["month", "chunk"], name="shop_buyer_month_bitmap_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.chunk}"
