"""GET /api/v1/customers/{id}/orders: a customer's shop orders (commerce/api/views.py)."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from accounts.testing.contract import EndpointContract, Subject
from commerce.testing.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_orders_list(api_client_for, center):
    order = OrderFactory(buyer=center["customer"])
    data = api_client_for("STAFF").get(f"/api/v1/customers/{center['customer'].pk}/orders").json()["data"]
    assert [o["order_id"] for o in data["orders"]] == [order.pk]
    assert data["pagination"]["total"] == 1
    assert AuditLog.objects.get(action="list").customer_ids == [center["customer"].pk]
    assert api_client_for("STAFF").get("/api/v1/customers/999999/orders").status_code == 404


# --- the endpoint contract (accounts/testing/contract.py) -----------------------------------
class TestOrdersContract(EndpointContract):
    url_name = "customer-orders"
    invalid_query = {"page": 0}
    audit_action = AuditLog.Action.LIST

    @pytest.fixture
    def subject(self, center) -> Subject:
        OrderFactory(buyer=center["customer"])
        return Subject(customer=center["customer"], query={"page": 1, "size": 10})
