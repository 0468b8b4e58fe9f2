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

from accounts.backoffice.resources import ChoiceValueWidget, MaskedField, PrincipalResourceMixin
from commerce.models import Category, Order, OrderItem, OrderStatus, Product
from customers.models import Customer

_ITEM = re.compile(r"^\s*(?P<sku>[^×x@;]+?)\s*[×x]\s*(?P<qty>\d+)\s*@\s*(?P<price>[\d.,]+)\s*$")


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key, with a Korean row error when nothing matches."""

    def __init__(self, model: type, field: str, label: str) -> None:
        super().__init__(model, field=field)
        self.label = label

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist as exc:
            raise ValueError(f"{self.label} {value!r}을(를) 찾을 수 없습니다") from exc


class ProductResource(PrincipalResourceMixin, resources.ModelResource):
    """Products, matched on ``sku`` (blank = new product)."""

    category = fields.Field(
        attribute="category", column_name="category", widget=LookupWidget(Category, "name", "카테고리")
    )
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=widgets.BooleanWidget())

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

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        if not str(row.get("sku") or "").strip():
            raise ValidationError({"sku": "상품 코드(sku)는 필수입니다"})
        if row.get("currency"):
            row["currency"] = str(row["currency"]).strip().upper()


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


class OrderResource(PrincipalResourceMixin, resources.ModelResource):
    """Orders, one row each, matched on ``external_ref`` (the order number of the source)."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    external_ref = fields.Field(attribute="external_ref", column_name="external_ref")
    buyer = fields.Field(attribute="buyer", column_name="buyer_id", widget=LookupWidget(Customer, "pk", "고객 ID"))
    buyer_name = MaskedField(attribute="buyer__name", column_name="buyer_name", mask_as="name", readonly=True)
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceValueWidget(OrderStatus))
    created_at = fields.Field(attribute="created_at", column_name="created_at", widget=widgets.DateTimeWidget())
    total = fields.Field(attribute="total", column_name="total", readonly=True, widget=widgets.DecimalWidget())
    # not "items": the import preview's template would read the error dict's key as .items
    order_items = fields.Field(column_name="order_items", dehydrate_method="dehydrate_order_items")

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

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        if not str(row.get("external_ref") or "").strip():
            raise ValidationError({"external_ref": "주문 번호(external_ref)는 필수입니다"})
        if row.get("currency"):
            row["currency"] = str(row["currency"]).strip().upper()
        try:
            parsed = items_parse(str(row.get("order_items") or ""))
        except ValueError as exc:
            raise ValidationError({"order_items": str(exc)}) from exc
        if not parsed:
            raise ValidationError({"order_items": "주문 항목이 없습니다"})
        skus = {sku for sku, _q, _p in parsed}
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
        missing = sorted(skus - set(products))
        if missing:
            raise ValidationError({"order_items": f"상품 코드를 찾을 수 없습니다: {', '.join(missing)}"})
        currency = row.get("currency") or "KRW"
        other = sorted({p.currency for p in products.values() if p.currency != currency})
        if other:
            raise ValidationError(
                {"currency": f"주문 통화({currency})와 다른 통화의 상품이 있습니다: {', '.join(other)}"}
            )
        # keyed by the row's order number; read back in after_save_instance
        self._lines[row["external_ref"]] = [(products[sku], qty, price) for sku, qty, price in parsed]

    def after_save_instance(self, instance: Order, row: Any, **kwargs: Any) -> None:
        lines = self._lines.pop(row["external_ref"], [])
        instance.items.all().delete()
        OrderItem.objects.bulk_create(
            OrderItem(order=instance, product=product, quantity=qty, unit_price=price, subtotal=price * qty)
            for product, qty, price in lines
        )
        instance.total = sum((price * qty for _p, qty, price in lines), Decimal("0"))
        instance.save(update_fields=["total", "updated_at"])
