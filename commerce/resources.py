"""django-import-export resources of the shop: products and orders.

Orders are one row each; their lines travel in the ``order_items`` column as
``SKU×수량@단가`` separated by ``;`` (e.g. ``KF-001×2@5900; KF-014×1@12000``), so a file
exported from here imports back unchanged. The order total is always recomputed from the lines
(never read from the file). The buyer's name is personal data: masked like everywhere else.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from import_export import fields, resources, widgets

from accounts.backoffice.resources import (
    BackOfficeResourceMixin,
    ChoiceValueWidget,
    KoreanBooleanWidget,
    KoreanDateTimeWidget,
    KoreanDecimalWidget,
    KoreanIntegerWidget,
    MaskedField,
)
from commerce.models import Category, Currency, Order, OrderItem, OrderStatus, Product
from customers.models import Customer

_ITEM = re.compile(r"^\s*(?P<sku>[^×x@;]+?)\s*[×x]\s*(?P<qty>\d+)\s*@\s*(?P<price>[\d.,]+)\s*$")


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key, with a Korean row error when nothing matches."""

    def __init__(self, model: type, field: str, label: str) -> None:
        super().__init__(model, field=field)
        self.label = label

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet's number 12.0
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, ValueError, TypeError, ValidationError):
            # ValueError: "abc" for a numeric key (Django's English message)
            raise ValueError(f"{self.label} {value!r}을(를) 찾을 수 없습니다") from None
        except self.model.MultipleObjectsReturned:
            raise ValueError(f"{self.label} {value!r}이(가) 여러 개입니다") from None


class ProductResource(BackOfficeResourceMixin, resources.ModelResource):
    """Products, matched on ``sku`` (blank = new product)."""

    headers = {
        "sku": "상품 코드",
        "name": "상품명",
        "name_en": "영문 상품명",
        "category": "카테고리",
        "price": "가격",
        "currency": "통화",
        "image_url": "이미지 URL",
        "description": "설명",
        "is_active": "판매 중",
    }
    category = fields.Field(attribute="category", widget=LookupWidget(Category, "name", "카테고리"))
    price = fields.Field(attribute="price", widget=KoreanDecimalWidget(minimum=Decimal(0)))
    currency = fields.Field(attribute="currency", widget=ChoiceValueWidget(Currency))
    is_active = fields.Field(attribute="is_active", widget=KoreanBooleanWidget())

    class Meta:
        model = Product
        name = "상품"
        fields = (
            "sku",
            "name",
            "name_en",
            "category",
            "price",
            "currency",
            "image_url",
            "description",
            "is_active",
        )
        export_order = fields
        import_id_fields = ("sku",)
        clean_model_instances = True
        skip_unchanged = True

    def row_errors(self, row: Any) -> dict[str, str]:
        if not str(row.get(self.headers["sku"]) or "").strip():
            return {"sku": "상품 코드는 필수입니다"}
        return {}


def items_render(order: Order) -> str:
    return "; ".join(
        f"{item.product.sku or item.product_id}×{item.quantity}@{item.unit_price.normalize():f}"
        for item in order.items.all()
    )


def items_parse(text: str) -> list[tuple[str, int, Decimal]]:
    """``KF-001×2@5900; KF-014×1@12000`` → [(sku, quantity, unit_price), …]; ValueError if malformed."""
    lines = []
    for index, part in enumerate(p for p in text.split(";") if p.strip()):
        match = _ITEM.match(part)
        if not match:
            raise ValueError(f"{index + 1}번째 항목 {part.strip()!r}의 형식이 잘못되었습니다 (SKU×수량@단가)")
        quantity = int(match["qty"])
        try:
            price = Decimal(match["price"].replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"{index + 1}번째 항목의 단가가 잘못되었습니다") from exc
        if quantity <= 0:
            raise ValueError(f"{index + 1}번째 항목의 수량은 1 이상이어야 합니다")
        lines.append((match["sku"].strip(), quantity, price))
    return lines


class OrderResource(BackOfficeResourceMixin, resources.ModelResource):
    """Orders, one row each, matched on ``external_ref`` (the order number of the source)."""

    headers = {
        "id": "주문 ID",
        "external_ref": "주문 번호",
        "buyer": "고객 ID",
        "buyer_name": "구매자",
        "status": "상태",
        "currency": "통화",
        "total": "합계",
        "created_at": "주문 일시",
        "order_items": "주문 항목",
    }
    legacy_headers = {"buyer_id": "buyer"}
    id = fields.Field(attribute="id", readonly=True, widget=KoreanIntegerWidget())
    external_ref = fields.Field(attribute="external_ref")
    buyer = fields.Field(attribute="buyer", widget=LookupWidget(Customer, "pk", "고객 ID"))
    buyer_name = MaskedField(attribute="buyer__name", mask_as="name", readonly=True)
    status = fields.Field(attribute="status", widget=ChoiceValueWidget(OrderStatus))
    currency = fields.Field(attribute="currency", widget=ChoiceValueWidget(Currency))
    created_at = fields.Field(attribute="created_at", widget=KoreanDateTimeWidget())
    total = fields.Field(attribute="total", readonly=True, widget=KoreanDecimalWidget())
    # not "items": the import preview's template would read the error dict's key as .items
    order_items = fields.Field(dehydrate_method="dehydrate_order_items")

    class Meta:
        model = Order
        name = "주문"
        fields = (
            "id",
            "external_ref",
            "buyer",
            "buyer_name",
            "status",
            "currency",
            "total",
            "created_at",
            "order_items",
        )
        export_order = fields
        import_id_fields = ("external_ref",)
        clean_model_instances = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lines: dict[str, list[tuple[Product, int, Decimal]]] = {}

    def get_export_queryset(self, request: Any = None) -> QuerySet:
        return Order.objects.select_related("buyer").prefetch_related("items__product")

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        return queryset.select_related("buyer").prefetch_related("items__product")

    def dehydrate_order_items(self, order: Order) -> str:
        return items_render(order) if order.pk else ""

    def row_errors(self, row: Any) -> dict[str, str]:
        """The order number and the lines (``SKU×수량@단가``; products known, one currency)."""
        h = self.headers
        errors: dict[str, str] = {}
        ref = str(row.get(h["external_ref"]) or "").strip()
        if not ref:
            errors["external_ref"] = "주문 번호는 필수입니다"
        try:
            parsed = items_parse(str(row.get(h["order_items"]) or ""))
        except ValueError as exc:
            errors["order_items"] = str(exc)
            return errors
        if not parsed:
            errors["order_items"] = "주문 항목이 없습니다"
            return errors
        skus = {sku for sku, _q, _p in parsed}
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
        missing = sorted(skus - set(products))
        if missing:
            errors["order_items"] = f"상품 코드를 찾을 수 없습니다: {', '.join(missing)}"
            return errors
        currency = ChoiceValueWidget(Currency).by_label.get(str(row.get(h["currency"]) or "").strip())
        currency = currency or str(row.get(h["currency"]) or "KRW").strip().upper()
        other = sorted({p.currency for p in products.values() if p.currency != currency})
        if other:
            errors["currency"] = f"주문 통화({currency})와 다른 통화의 상품이 있습니다: {', '.join(other)}"
        # keyed by the row's order number; read back in after_save_instance
        self._lines[ref] = [(products[sku], qty, price) for sku, qty, price in parsed]
        return errors

    def after_save_instance(self, instance: Order, row: Any, **kwargs: Any) -> None:
        lines = self._lines.pop(str(row[self.headers["external_ref"]]).strip(), [])
        instance.items.all().delete()
        OrderItem.objects.bulk_create(
            OrderItem(order=instance, product=product, quantity=qty, unit_price=price, subtotal=price * qty)
            for product, qty, price in lines
        )
        instance.total = sum((price * qty for _p, qty, price in lines), Decimal("0"))
        instance.save(update_fields=["total", "updated_at"])
