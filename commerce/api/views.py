"""Shop API views: a customer's orders (the shop's side of the customer, under /customers/{id}).

Declared on the read pipeline (``accounts.api.read``): check the customer, validate the page,
call a commerce selector, write the audit row. Access rules come from ``accounts/policy.py``.
"""

from __future__ import annotations

from rest_framework import serializers

from accounts.api.read import PagedReadView, Read
from accounts.models import AuditLog
from commerce.models import OrderStatus
from commerce.selectors.orders import customer_orders_page
from core.pagination import PaginationSerializer
from customers.api import schema_docs as docs
from customers.selectors.detail import customer_get


class OrderItemOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.FloatField()
    subtotal = serializers.FloatField()


class OrderOutput(serializers.Serializer):
    order_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OrderStatus.values)
    total = serializers.FloatField()
    currency = serializers.CharField(help_text="ISO 4217")
    created_at = serializers.DateTimeField()
    items = OrderItemOutput(many=True)


class OrderPageOutput(serializers.Serializer):
    orders = OrderOutput(many=True)
    pagination = PaginationSerializer()


@docs.orders_get
class CustomerOrdersView(PagedReadView):
    """``GET /api/v1/customers/{id}/orders``: the customer's shop orders, newest first, paged."""

    output_serializer = OrderPageOutput
    rows_key = "orders"
    audit_action = AuditLog.Action.LIST

    def check(self, read: Read) -> None:
        customer_get(customer_id=read.args["customer_id"])

    def page_rows(self, read: Read, *, limit: int, offset: int) -> tuple[list, int]:
        return customer_orders_page(customer_id=read.args["customer_id"], limit=limit, offset=offset)

    def audit_query(self, read: Read, out: dict) -> dict:
        return {"orders_page": read.query["page"], "size": read.query["size"]}
