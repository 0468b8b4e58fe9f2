"""Shop API views: a customer's orders (the shop's side of the customer, under /customers/{id}).

Thin: validate, call a commerce selector, write the audit row. Access rules come from
``accounts/policy.py`` by URL name.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AuditLog
from commerce.selectors.orders import customer_orders_page
from customers.api import schema_docs as docs
from customers.api.serializers import PageQuerySerializer
from customers.api.visibility import audit_read
from customers.selectors.detail import customer_get


class CustomerOrdersView(APIView):
    """``GET /api/v1/customers/{id}/orders``: the customer's shop orders, newest first, paged."""

    @docs.orders_get
    def get(self, request: Request, customer_id: int) -> Response:
        customer_get(customer_id=customer_id)
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page, size = query.validated_data["page"], min(query.validated_data["size"], 100)
        orders, total = customer_orders_page(customer_id=customer_id, limit=size, offset=(page - 1) * size)
        audit_read(
            request=request,
            action=AuditLog.Action.LIST,
            customer_ids=[customer_id],
            query={"orders_page": page, "size": size},
        )
        return Response(
            {
                "orders": orders,
                "pagination": {"total": total, "page": page, "size": size, "total_pages": (total + size - 1) // size},
            }
        )
