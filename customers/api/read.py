"""Read-pipeline pieces shared by the read endpoints with a customer in the path (customers,
analytics, recommendations)."""

from __future__ import annotations

from accounts.api.read import Read
from customers.selectors.detail import customer_get


class CustomerInPath:
    """For a read endpoint whose ``compute`` finds the customer (and answers 404 when it cannot):
    an unknown customer is 404 also when the request is otherwise a 400, and the lookup is made
    only then (mix in before the view base: ``class V(CustomerInPath, ReadView)``; the customer is
    the view's ``customer_kwarg``)."""

    def check_invalid(self, read: Read) -> None:
        customer_get(customer_id=self.customer_id(read))
